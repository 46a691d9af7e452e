package io.agentry.metrics;

import static org.awaitility.Awaitility.await;

import io.agentry.core.AgentRuntime;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskState;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the tests: policies, waiting and meter reads. */
final class Workloads {
  private Workloads() {}

  /** Retries a failed attempt at once, up to {@code attempts} attempts in all. */
  static ExecutionPolicy retryUpTo(int attempts) {
    return r -> r.succeeded() || r.attempt() >= attempts ? Decision.complete()
        : Decision.retry(Duration.ZERO);
  }

  static void awaitState(TaskHandle<?> handle, TaskState state) {
    await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == state);
  }

  /** Waits until no attempt holds a slot of the runtime's agents (work given up has returned). */
  static void awaitIdleAgents(AgentRuntime runtime) {
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.snapshot().agents().stream()
        .allMatch(a -> a.inFlight() == 0));
  }

  static List<TaskOutcome<?>> awaitAll(List<? extends TaskHandle<?>> handles)
      throws InterruptedException {
    List<TaskOutcome<?>> outcomes = new ArrayList<>();
    for (TaskHandle<?> h : handles) {
      outcomes.add(h.await());
    }
    return outcomes;
  }

  /**
   * The count of the one counter with these tags, a {@code Counter} (counted from events) or a
   * {@code FunctionCounter} (read from the runtime's counts); fails if there is none.
   */
  static double counter(MeterRegistry registry, String name, String... tags) {
    Meter m = registry.get(name).tags(tags).meter();
    return switch (m) {
      case Counter c -> c.count();
      case FunctionCounter c -> c.count();
      default -> throw new AssertionError(name + " " + List.of(tags) + " is not a counter: " + m);
    };
  }

  /** The count of the one function counter with these tags; fails if there is none. */
  static double functionCounter(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).functionCounter().count();
  }

  /** The sum of every counter (of either kind) of that name with these tags; zero if there is none. */
  static double sum(MeterRegistry registry, String name, String... tags) {
    return Search.in(registry).name(name).tags(tags).counters().stream()
        .mapToDouble(c -> c.count()).sum()
        + Search.in(registry).name(name).tags(tags).functionCounters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  /**
   * The count of the one timer with these tags, a {@code Timer} or a {@code FunctionTimer}; fails
   * if there is none.
   */
  static long timerCount(MeterRegistry registry, String name, String... tags) {
    Meter m = registry.get(name).tags(tags).meter();
    return switch (m) {
      case Timer t -> t.count();
      case FunctionTimer t -> (long) t.count();
      default -> throw new AssertionError(name + " " + List.of(tags) + " is not a timer: " + m);
    };
  }

  static double gauge(MeterRegistry registry, String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }
}
