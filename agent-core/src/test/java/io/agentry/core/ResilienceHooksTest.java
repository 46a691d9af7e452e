package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskHedged;
import io.agentry.core.spi.AgentGuard;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.AttemptReport;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.Scheduler;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilienceHooksTest {

  /** A guard that blocks the agents in a set, as an open circuit would. */
  static final class Blocklist implements AgentGuard {
    final Set<String> blocked = ConcurrentHashMap.newKeySet();
    final List<String> ended = new CopyOnWriteArrayList<>();
    final AtomicInteger started = new AtomicInteger();
    volatile Runnable wakeUp = () -> {};

    @Override
    public void bind(Scheduler clock, Runnable wakeUp) {
      this.wakeUp = wakeUp;
    }

    @Override
    public boolean admits(AgentView agent) {
      return !blocked.contains(agent.id());
    }

    @Override
    public void attemptStarted(AgentView agent) {
      started.incrementAndGet();
    }

    @Override
    public void attemptEnded(String agentId, AttemptEnded.Status status, long nanos) {
      ended.add(agentId + ":" + status);
    }
  }

  @Test
  void anAgentTheGuardDoesNotAdmitGetsNoTasks() {
    Blocklist guard = new Blocklist();
    guard.blocked.add("a1");
    try (var runtime = AgentRuntime.builder().guard(guard)
        .agent(Agent.local("a1")).agent(Agent.local("a2")).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(runtime.submit(Task.of("t", TaskContext::agent)).join()).isEqualTo("a2");
      }
      assertThat(guard.started).hasValue(10);
      await().atMost(Duration.ofSeconds(10)).until(() -> guard.ended.size() == 10);
      assertThat(guard.ended).containsOnly("a2:SUCCEEDED");
    }
  }

  @Test
  void tasksWaitWhileNoAgentIsAdmittedAndGoWhenTheGuardWakesTheRuntime() {
    Blocklist guard = new Blocklist();
    guard.blocked.add("a1");
    try (var runtime = AgentRuntime.builder().guard(guard).agent(Agent.local("a1")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("t", TaskContext::agent));
      assertThat(h.state()).isEqualTo(TaskState.QUEUED);

      guard.blocked.clear();
      guard.wakeUp.run();

      assertThat(h.join()).isEqualTo("a1");
    }
  }

  @Test
  void whenEveryCircuitIsOpenTheQueueTimeoutSaysNoAgentWasEligible() {
    ManualScheduler clock = new ManualScheduler();
    Blocklist guard = new Blocklist();
    guard.blocked.add("a1");
    try (var runtime = AgentRuntime.builder().scheduler(clock).guard(guard)
        .agent(Agent.local("a1")).build()) {
      TaskHandle<Integer> h = runtime.submit(
          Task.builder("t", ctx -> 1).queueTimeout(Duration.ofSeconds(1)).build());

      clock.advance(Duration.ofSeconds(1));

      assertThat(((TaskOutcome.TimedOut<Integer>) h.outcome().orElseThrow()).cause())
          .isInstanceOf(NoEligibleAgentException.class);
    }
  }

  /** Hedges once after a fixed delay, and completes on the first success. */
  static ExecutionPolicy hedgingAfter(Duration delay) {
    return new ExecutionPolicy() {
      @Override
      public Optional<Duration> hedgeAfter(Task<?> task, int attemptsRunning) {
        return attemptsRunning < 2 ? Optional.of(delay) : Optional.empty();
      }

      @Override
      public Decision afterAttempt(AttemptReport report) {
        return Decision.complete();
      }
    };
  }

  @Test
  void aSlowAttemptIsHedgedOnAnotherAgentAndTheFirstSuccessWins() throws Exception {
    ManualScheduler clock = new ManualScheduler();
    CountDownLatch slowInterrupted = new CountDownLatch(1);
    List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().scheduler(clock).listener(events::add)
        .policy(hedgingAfter(Duration.ofMillis(200)))
        .agent(Agent.local("slow")).agent(Agent.local("fast")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("hedged", ctx -> {
        if (ctx.agent().equals("slow")) {
          try {
            new CountDownLatch(1).await();
          } catch (InterruptedException e) {
            slowInterrupted.countDown();
            throw e;
          }
        }
        return "from " + ctx.agent();
      }));
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofMillis(200));

      assertThat(h.join()).isEqualTo("from fast");
      assertThat(h.outcome().orElseThrow().agents()).containsExactly("slow", "fast");
      assertThat(slowInterrupted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(events).filteredOn(TaskHedged.class::isInstance).singleElement()
          .satisfies(e -> assertThat(((TaskHedged) e).agentId()).isEqualTo("fast"));
      assertThat(events).filteredOn(AttemptEnded.class::isInstance)
          .extracting(e -> ((AttemptEnded) e).status())
          .containsExactlyInAnyOrder(AttemptEnded.Status.SUCCEEDED, AttemptEnded.Status.CANCELLED);
    }
  }

  @Test
  void aFailedAttemptDecidesOnlyWhenItIsTheLastOneRunning() {
    ManualScheduler clock = new ManualScheduler();
    Gate slowGate = new Gate();
    try (var runtime = AgentRuntime.builder().scheduler(clock)
        .policy(hedgingAfter(Duration.ofMillis(100)))
        .agent(Agent.local("first")).agent(Agent.local("second")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("hedged", ctx -> {
        if (ctx.agent().equals("first")) {
          slowGate.pass();
          return "first won";
        }
        throw new IllegalStateException("second failed");
      }));
      awaitState(h, TaskState.RUNNING);
      clock.advance(Duration.ofMillis(100));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> runtime.snapshot().agent("second").orElseThrow().failed() == 1);

      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      slowGate.open();
      assertThat(h.join()).isEqualTo("first won");
    }
  }

  @Test
  void aRejectedResultOfAHedgeDoesNotEndTheTaskWhileTheFirstAttemptRuns() {
    ManualScheduler clock = new ManualScheduler();
    Gate firstGate = new Gate();
    ExecutionPolicy rejectBad = new ExecutionPolicy() {
      @Override
      public Optional<Duration> hedgeAfter(Task<?> task, int attemptsRunning) {
        return attemptsRunning < 2 ? Optional.of(Duration.ofMillis(100)) : Optional.empty();
      }

      @Override
      public Decision afterAttempt(AttemptReport report) {
        return "bad".equals(report.result())
            ? Decision.fail(new IllegalStateException("bad result, out of retries"))
            : Decision.complete();
      }
    };
    try (var runtime = AgentRuntime.builder().scheduler(clock).policy(rejectBad)
        .agent(Agent.local("first")).agent(Agent.local("second")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("hedged", ctx -> {
        if (ctx.agent().equals("first")) {
          firstGate.pass();
          return "good";
        }
        return "bad";
      }));
      awaitState(h, TaskState.RUNNING);
      clock.advance(Duration.ofMillis(100));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> runtime.snapshot().agent("second").orElseThrow().inFlight() == 0
              && h.outcome().map(o -> o.attempts()).orElse(2) == 2);

      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      firstGate.open();
      assertThat(h.join()).isEqualTo("good");
    }
  }

  @Test
  void aGuardIsAskedBeforeEachPinnedTaskStarts() {
    AtomicInteger probes = new AtomicInteger(0);
    AgentGuard oneProbe = new AgentGuard() {
      @Override
      public boolean admits(AgentView agent) {
        return !agent.id().equals("a1") || probes.get() < 1;
      }

      @Override
      public void attemptStarted(AgentView agent) {
        if (agent.id().equals("a1")) {
          probes.incrementAndGet();
        }
      }
    };
    io.agentry.core.spi.AgentSelector alwaysA1 = (task, eligible) ->
        eligible.stream().filter(a -> a.id().equals("a1")).findFirst().orElse(eligible.get(0));
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().guard(oneProbe).selector(alwaysA1)
        .affinityWait(Duration.ofHours(1))
        .agent(Agent.local("a1").capacity(4)).agent(Agent.local("a2").capacity(4)).build()) {
      List<TaskHandle<String>> handles = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        handles.add(runtime.submit(Task.of("t", ctx -> {
          gate.pass();
          return ctx.agent();
        })));
      }
      gate.open();

      assertThat(handles.stream().map(TaskHandle::join).filter("a1"::equals)).hasSize(1);
      assertThat(probes).hasValue(1);
    }
  }

  @Test
  void noAgentWithRoomMeansNoHedge() {
    ManualScheduler clock = new ManualScheduler();
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().scheduler(clock)
        .policy(hedgingAfter(Duration.ofMillis(100))).agent(Agent.local("only")).build()) {
      TaskHandle<Integer> h = runtime.submit(Task.of("t", ctx -> {
        gate.pass();
        return ctx.attempt();
      }));
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofMillis(100));
      gate.open();

      assertThat(h.join()).isEqualTo(1);
      assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(1);
    }
  }

  @Test
  void identicalTasksInFlightShareOneExecution() {
    AtomicInteger runs = new AtomicInteger();
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      Task<Integer> charge = Task.builder("charge", ctx -> {
        runs.incrementAndGet();
        gate.pass();
        return 42;
      }).idempotencyKey("order-1").build();
      TaskHandle<Integer> first = runtime.submit(charge);
      TaskHandle<Integer> second = runtime.submit(charge);

      assertThat(second).isSameAs(first);
      gate.open();
      assertThat(second.join()).isEqualTo(42);
      assertThat(runs).hasValue(1);
      assertThat(runtime.snapshot().submitted()).isEqualTo(1);
    }
  }

  @Test
  void aRecentSuccessAnswersARepeatFromTheCache() {
    AtomicInteger runs = new AtomicInteger();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      Task<Integer> charge = Task.builder("charge", ctx -> runs.incrementAndGet())
          .idempotencyKey("order-2").build();
      int first = runtime.submit(charge).join();

      assertThat(runtime.submit(charge).join()).isEqualTo(first);
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void failuresAreNotCachedSoARepeatRunsAgain() {
    AtomicInteger runs = new AtomicInteger();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      Task<Integer> flaky = Task.<Integer>builder("flaky", ctx -> {
        if (runs.incrementAndGet() == 1) {
          throw new IllegalStateException("first fails");
        }
        return 7;
      }).idempotencyKey("order-3").build();
      TaskHandle<Integer> failed = runtime.submit(flaky);
      assertThat(failed.toCompletableFuture()).failsWithin(Duration.ofSeconds(10));

      assertThat(runtime.submit(flaky).join()).isEqualTo(7);
      assertThat(runs).hasValue(2);
    }
  }

  @Test
  void withTheCacheOffRepeatsRunAgain() {
    AtomicInteger runs = new AtomicInteger();
    try (var runtime = AgentRuntime.builder().resultCache(0, Duration.ofMinutes(1))
        .agent(Agent.local("a1")).build()) {
      Task<Integer> t = Task.builder("t", ctx -> runs.incrementAndGet()).idempotencyKey("k").build();
      runtime.submit(t).join();
      runtime.submit(t).join();
      assertThat(runs).hasValue(2);
    }
  }
}
