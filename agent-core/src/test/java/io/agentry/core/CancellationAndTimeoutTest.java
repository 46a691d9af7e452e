package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationAndTimeoutTest {
  private final ManualScheduler clock = new ManualScheduler();

  private AgentRuntime runtime(Agent... agents) {
    AgentRuntime.Builder b = AgentRuntime.builder().scheduler(clock).shutdownGrace(Duration.ZERO);
    for (Agent a : agents) {
      b.agent(a);
    }
    return b.build();
  }

  @Test
  void cancellingAQueuedTaskRemovesItBeforeItRuns() {
    Gate gate = new Gate();
    AtomicBoolean ran = new AtomicBoolean();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> blocker = runtime.submit(Task.of("blocker", ctx -> {
        gate.pass();
        return 1;
      }));
      awaitState(blocker, TaskState.RUNNING);
      TaskHandle<Integer> queued = runtime.submit(Task.of("queued", ctx -> {
        ran.set(true);
        return 2;
      }));

      assertThat(queued.cancel()).isTrue();

      assertThat(queued.state()).isEqualTo(TaskState.CANCELLED);
      assertThat(queued.outcome()).get().isInstanceOf(TaskOutcome.Cancelled.class);
      assertThatThrownBy(queued::join).isInstanceOf(CancellationException.class);
      assertThat(runtime.snapshot().queued()).isZero();
      gate.open();
      blocker.join();
      assertThat(ran).isFalse();
      assertThat(queued.cancel()).isFalse();
    }
  }

  @Test
  void cancellingARunningTaskInterruptsItAndEndsItAtOnce() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    AtomicBoolean sawCancelled = new AtomicBoolean();
    try (var runtime = runtime(Agent.local("a1"))) {
      TaskHandle<Integer> h = runtime.submit(Task.of("long", ctx -> {
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          sawCancelled.set(ctx.isCancelled());
          interrupted.countDown();
          throw e;
        }
        return 1;
      }));
      awaitState(h, TaskState.RUNNING);

      assertThat(h.cancel()).isTrue();

      assertThat(h.state()).isEqualTo(TaskState.CANCELLED);
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(sawCancelled).isTrue();
      assertThat(h.toCompletableFuture()).isCancelled();
    }
  }

  @Test
  void aCancelledAttemptKeepsItsSlotUntilTheWorkReallyReturns() {
    Gate stubborn = new Gate();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> h = runtime.submit(Task.of("stubborn", ctx -> {
        stubborn.passIgnoringInterrupts();
        return 1;
      }));
      awaitState(h, TaskState.RUNNING);
      h.cancel();
      TaskHandle<Integer> next = runtime.submit(Task.of("next", ctx -> 2));

      assertThat(h.state()).isEqualTo(TaskState.CANCELLED);
      assertThat(next.state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().agent("a1").orElseThrow().inFlight()).isEqualTo(1);

      stubborn.open();
      assertThat(next.join()).isEqualTo(2);
    }
  }

  @Test
  void cancellingTheFutureCancelsTheTask() {
    Gate gate = new Gate();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> blocker = runtime.submit(Task.of("blocker", ctx -> {
        gate.pass();
        return 1;
      }));
      awaitState(blocker, TaskState.RUNNING);
      TaskHandle<Integer> queued = runtime.submit(Task.of("queued", ctx -> 2));

      assertThat(queued.toCompletableFuture().cancel(true)).isTrue();

      assertThat(queued.state()).isEqualTo(TaskState.CANCELLED);
      assertThat(queued.outcome()).get().isInstanceOfSatisfying(TaskOutcome.Cancelled.class,
          c -> assertThat(c.reason()).contains("future"));
      gate.open();
    }
  }

  @Test
  void anAttemptTimeoutInterruptsTheWorkAndTimesTheTaskOut() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    try (var runtime = runtime(Agent.local("a1"))) {
      TaskHandle<Integer> h = runtime.submit(Task.builder("slow", ctx -> {
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          interrupted.countDown();
          throw e;
        }
        return 1;
      }).attemptTimeout(Duration.ofSeconds(5)).build());
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(4));
      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.TimedOut.class, t ->
          assertThat(t.cause()).isInstanceOfSatisfying(TaskTimeoutException.class, e -> {
            assertThat(e.timeout()).isEqualTo("attemptTimeout");
            assertThat(e.limit()).isEqualTo(Duration.ofSeconds(5));
          }));
      assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class)
          .cause().isInstanceOf(TaskTimeoutException.class);
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aTimedOutAttemptThatIgnoresInterruptsStillEndsOnTime() {
    Gate stubborn = new Gate();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> h = runtime.submit(Task.builder("stubborn", ctx -> {
        stubborn.passIgnoringInterrupts();
        return 1;
      }).attemptTimeout(Duration.ofSeconds(1)).build());
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(runtime.snapshot().agent("a1").orElseThrow().inFlight()).isEqualTo(1);
      stubborn.open();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> runtime.snapshot().agent("a1").orElseThrow().inFlight() == 0);
      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
    }
  }

  @Test
  void heartbeatsKeepALongAttemptAliveAndSilenceTimesItOut() throws Exception {
    CountDownLatch beat = new CountDownLatch(1);
    Gate stop = new Gate();
    AtomicInteger beats = new AtomicInteger();
    try (var runtime = runtime(Agent.local("a1"))) {
      TaskHandle<Integer> h = runtime.submit(Task.builder("beating", ctx -> {
        while (true) {
          beat.await();
          if (beats.get() > 0) {
            ctx.heartbeat();
            beats.decrementAndGet();
          }
          stop.pass();
          return 1;
        }
      }).heartbeatTimeout(Duration.ofSeconds(10)).build());
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(9));
      beats.set(1);
      beat.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> beats.get() == 0);
      clock.advance(Duration.ofSeconds(9)); // 18 s since start, 9 s since the beat
      assertThat(h.state()).isEqualTo(TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(1)); // 10 s of silence

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.TimedOut.class, t ->
          assertThat(((TaskTimeoutException) t.cause()).timeout()).isEqualTo("heartbeatTimeout"));
      stop.open();
    }
  }

  @Test
  void theDeadlineEndsATaskWhateverItIsDoing() {
    Gate gate = new Gate();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> running = runtime.submit(Task.builder("running", ctx -> {
        gate.pass();
        return 1;
      }).deadline(Duration.ofSeconds(3)).build());
      awaitState(running, TaskState.RUNNING);
      TaskHandle<Integer> queued = runtime.submit(
          Task.builder("queued", ctx -> 2).deadline(Duration.ofSeconds(2)).build());

      clock.advance(Duration.ofSeconds(2));
      assertThat(queued.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(running.state()).isEqualTo(TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));

      assertThat(running.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(((TaskOutcome.TimedOut<Integer>) queued.outcome().orElseThrow()).cause())
          .isInstanceOfSatisfying(TaskTimeoutException.class,
              e -> assertThat(e.timeout()).isEqualTo("deadline"));
      gate.open();
    }
  }

  @Test
  void aTaskNoAgentCanRunFailsAtItsQueueTimeoutNamingWhatItRequired() {
    try (var runtime = runtime(Agent.local("cpu-1").tags("cpu"))) {
      TaskHandle<Integer> h = runtime.submit(Task.builder("train", ctx -> 1)
          .requires("gpu").queueTimeout(Duration.ofSeconds(30)).build());

      clock.advance(Duration.ofSeconds(29));
      assertThat(h.state()).isEqualTo(TaskState.QUEUED);
      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.TimedOut.class, t ->
          assertThat(t.cause()).isInstanceOf(NoEligibleAgentException.class)
              .hasMessageContaining("[gpu]").hasMessageContaining("queueTimeout")
              .hasMessageContaining("cpu-1"));
    }
  }

  @Test
  void aTaskThatWaitsForABusyAgentTimesOutInTheQueueWithATimeoutCause() {
    Gate gate = new Gate();
    try (var runtime = runtime(Agent.local("a1").capacity(1))) {
      TaskHandle<Integer> blocker = runtime.submit(Task.of("blocker", ctx -> {
        gate.pass();
        return 1;
      }));
      awaitState(blocker, TaskState.RUNNING);
      TaskHandle<Integer> h = runtime.submit(
          Task.builder("waits", ctx -> 2).queueTimeout(Duration.ofMillis(500)).build());

      clock.advance(Duration.ofMillis(500));

      assertThat(((TaskOutcome.TimedOut<Integer>) h.outcome().orElseThrow()).cause())
          .isInstanceOfSatisfying(TaskTimeoutException.class,
              e -> assertThat(e.timeout()).isEqualTo("queueTimeout"));
      gate.open();
      blocker.join();
    }
  }

  @Test
  void theQueueTimeoutNoLongerAppliesOnceTheTaskStarted() {
    Gate gate = new Gate();
    try (var runtime = runtime(Agent.local("a1"))) {
      TaskHandle<Integer> h = runtime.submit(Task.builder("starts", ctx -> {
        gate.pass();
        return 1;
      }).queueTimeout(Duration.ofSeconds(1)).build());
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(5));

      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      gate.open();
      assertThat(h.join()).isEqualTo(1);
    }
  }
}
