package io.agentry.resilience;

import static io.agentry.resilience.Fixtures.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskRetryScheduled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Chaos on the real runtime and its real timer: an agent that fails 40% of its attempts, one that
 * hangs until its attempt times out, one removed mid-run, and one healthy agent. With retry,
 * failover and circuit breaking, every task succeeds, nothing runs after its deadline, and the
 * counts add up.
 */
class ChaosTest {
  private static final int TASKS = 400;
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(100);

  private final CountDownLatch never = new CountDownLatch(1);
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger lateStarts = new AtomicInteger();
  private final AtomicInteger completedWork = new AtomicInteger();
  private final Map<String, AtomicInteger> startsByAgent = new ConcurrentHashMap<>();

  /** The work of one task; {@code submitted} is set (System.nanoTime) just before submission. */
  private Task<String> task(int n, AtomicLong submitted) {
    return Task.of("chaos", ctx -> {
      running.incrementAndGet();
      try {
        if (System.nanoTime() - submitted.get() >= DEADLINE.toNanos()) {
          lateStarts.incrementAndGet();
        }
        startsByAgent.computeIfAbsent(ctx.agent(), k -> new AtomicInteger()).incrementAndGet();
        switch (ctx.agent()) {
          case "flaky" -> {
            if (Math.floorMod((n * 31 + ctx.attempt()) * 0x9E3779B9, 100) < 40) {
              throw new IllegalStateException("flaky failed task " + n);
            }
          }
          case "hang" -> never.await(); // until the attempt timeout interrupts it
          case "doomed" -> never.await(20, TimeUnit.MILLISECONDS); // slow: often running when removed
          default -> { }
        }
        completedWork.incrementAndGet();
        return "task " + n + " on " + ctx.agent();
      } finally {
        running.decrementAndGet();
      }
    });
  }

  @Test
  void everyTaskSucceedsWhileOneHealthyAgentRemainsAndTheCountsAddUp() {
    List<RuntimeEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    CircuitBreakers breakers = CircuitBreakers.of(CircuitBreakerConfig.builder()
        .consecutiveFailures(3).waitInOpen(Duration.ofMillis(200)).halfOpenProbes(1).build());
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .maxAttempts(25)
        .backoff(Backoff.fullJitter(Duration.ofMillis(1), Duration.ofMillis(20)))
        .attemptTimeout(ATTEMPT_TIMEOUT)
        .deadline(DEADLINE)
        .build();
    List<TaskHandle<String>> handles = new ArrayList<>();
    try (AgentRuntime rt = AgentRuntime.builder().name("chaos").policy(policy).guard(breakers)
        .listener(events::add)
        .agent(Agent.local("healthy").capacity(8))
        .agent(Agent.local("flaky").capacity(8))
        .agent(Agent.local("hang").capacity(4))
        .agent(Agent.local("doomed").capacity(8))
        .build()) {
      boolean removed = false;
      for (int n = 0; n < TASKS; n++) {
        AtomicLong submitted = new AtomicLong(System.nanoTime());
        handles.add(rt.submit(task(n, submitted)));
        // a third of the way in, remove "doomed" as soon as it is running attempts
        if (!removed && n >= TASKS / 3 && rt.snapshot().agent("doomed").orElseThrow().inFlight() > 0) {
          rt.removeAgent("doomed");
          removed = true;
        }
      }
      assertThat(removed).as("doomed was removed mid-run").isTrue();

      List<TaskOutcome<String>> outcomes = new ArrayList<>();
      for (TaskHandle<String> h : handles) {
        h.join();
        outcomes.add(h.outcome().orElseThrow());
      }
      awaitTrue(() -> running.get() == 0); // every timed-out attempt has returned

      assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(TaskOutcome.Succeeded.class));
      assertThat(lateStarts).as("attempts started after their task's deadline").hasValue(0);
      RuntimeSnapshot s = rt.snapshot();
      assertThat(s.submitted()).isEqualTo(TASKS);
      assertThat(s.succeeded()).isEqualTo(TASKS);
      assertThat(s.completed()).isEqualTo(TASKS);
      assertThat(s.agent("doomed")).isEmpty();

      awaitTrue(() -> count(events, AttemptEnded.class) == count(events, AttemptStarted.class));
      int attempts = outcomes.stream().mapToInt(TaskOutcome::attempts).sum();
      assertThat(count(events, AttemptStarted.class)).isEqualTo(attempts);
      assertThat(count(events, TaskRetryScheduled.class)).isEqualTo(attempts - TASKS);
      Map<AttemptEnded.Status, Integer> ends = new EnumMap<>(AttemptEnded.Status.class);
      synchronized (events) {
        for (RuntimeEvent e : events) {
          if (e instanceof AttemptEnded a) {
            ends.merge(a.status(), 1, Integer::sum);
          }
        }
      }
      assertThat(ends.get(AttemptEnded.Status.SUCCEEDED)).isEqualTo(TASKS);
      // an attempt given up (agent removed) before its thread began runs no work
      int workStarted = startsByAgent.values().stream().mapToInt(AtomicInteger::get).sum();
      assertThat(attempts - workStarted).isBetween(0, ends.get(AttemptEnded.Status.LOST)
          + ends.get(AttemptEnded.Status.TIMED_OUT));
      // at-least-once: a lost attempt's work may still have finished on the removed agent
      assertThat(completedWork.get() - TASKS).isBetween(0, ends.get(AttemptEnded.Status.LOST));
      assertThat(ends).containsKeys(AttemptEnded.Status.FAILED, AttemptEnded.Status.TIMED_OUT,
          AttemptEnded.Status.LOST);
      assertThat(ends.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(attempts);
      assertThat(breakers.state("healthy")).isEqualTo(CircuitState.CLOSED);
    }
  }

  private static int count(List<RuntimeEvent> events, Class<? extends RuntimeEvent> type) {
    synchronized (events) {
      return (int) events.stream().filter(type::isInstance).count();
    }
  }
}
