package io.agentry.resilience;

import static io.agentry.resilience.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskFailedException;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskState;
import io.agentry.core.TaskTimeoutException;
import io.agentry.core.testing.ManualScheduler;
import io.agentry.resilience.Fixtures.Gate;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The policy's behaviours as a user sees them through a runtime, on a manual clock. */
class RuntimeResilienceTest {
  private final ManualScheduler clock = new ManualScheduler();

  private AgentRuntime.Builder runtime(ResiliencePolicy policy) {
    return AgentRuntime.builder().scheduler(clock).policy(policy).shutdownGrace(Duration.ZERO)
        .agent(Agent.local("a1"));
  }

  @Test
  void retriesWaitWhatTheBackoffSaysOnTheRuntimesTimer() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(3)
        .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10))).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<Integer> h = rt.submit(Task.of("flaky", ctx -> {
        if (ctx.attempt() < 3) {
          throw new IllegalStateException("attempt " + ctx.attempt());
        }
        return ctx.attempt();
      }));

      awaitState(h, TaskState.RETRY_WAIT);
      assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(1));
      clock.advance(Duration.ofSeconds(1));
      awaitState(h, TaskState.RETRY_WAIT);
      assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(2));
      clock.advance(Duration.ofSeconds(2));

      assertThat(h.join()).isEqualTo(3);
      assertThat(h.outcome().orElseThrow().duration()).isEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void aRetryThatCouldNotStartBeforeTheDeadlineFailsTheTaskAtOnce() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(5)
        .backoff(Backoff.fixed(Duration.ofSeconds(2))).deadline(Duration.ofSeconds(3)).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<Object> h = rt.submit(Task.of("always-fails", ctx -> {
        throw new IllegalStateException("attempt " + ctx.attempt());
      }));
      awaitState(h, TaskState.RETRY_WAIT);

      clock.advance(Duration.ofSeconds(2));
      awaitState(h, TaskState.FAILED);

      TaskOutcome<Object> o = h.outcome().orElseThrow();
      assertThat(o).isInstanceOfSatisfying(TaskOutcome.Failed.class, f -> {
        assertThat(f.cause()).isInstanceOf(RetryPastDeadlineException.class)
            .hasRootCauseMessage("attempt 2");
        assertThat(f.attempts()).isEqualTo(2);
        assertThat(f.duration()).as("failed when the retry was refused, not at the deadline")
            .isEqualTo(Duration.ofSeconds(2));
      });
    }
  }

  @Test
  void aTimedOutAttemptIsInterruptedAndRetried() {
    Gate never = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none())
        .attemptTimeout(Duration.ofSeconds(1)).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<Integer> h = rt.submit(Task.of("hangs-once", ctx -> {
        if (ctx.attempt() == 1) {
          never.pass();
        }
        return ctx.attempt();
      }));
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(1));

      assertThat(h.join()).isEqualTo(2);
    }
  }

  @Test
  void theLastTimedOutAttemptLeavesTheTaskTimedOut() {
    Gate never = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(2).backoff(Backoff.none())
        .attemptTimeout(Duration.ofSeconds(1)).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<Integer> h = rt.submit(Task.of("hangs", ctx -> {
        never.pass();
        return 1;
      }));
      awaitState(h, TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));
      assertThat(h.state()).as("the retry started at once").isEqualTo(TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThatThrownBy(h::join).cause().isInstanceOf(TaskTimeoutException.class);
    }
  }

  @Test
  void heartbeatsKeepASlowAttemptAlive() throws InterruptedException {
    Semaphore beat = new Semaphore(0);
    Semaphore go = new Semaphore(0);
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none())
        .heartbeatTimeout(Duration.ofSeconds(1)).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<String> h = rt.submit(Task.of("slow-but-alive", ctx -> {
        for (int i = 0; i < 5; i++) {
          ctx.heartbeat();
          beat.release();
          go.acquire();
        }
        return "done after attempt " + ctx.attempt();
      }));

      for (int i = 0; i < 5; i++) {
        assertThat(beat.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMillis(700)); // 3.5 s in all, 0.7 s between heartbeats
        go.release();
      }

      assertThat(h.join()).isEqualTo("done after attempt 1");
    }
  }

  @Test
  void anAttemptThatStopsHeartbeatingIsTimedOutAndRetried() {
    Gate never = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none())
        .heartbeatTimeout(Duration.ofSeconds(1)).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<Integer> h = rt.submit(Task.of("silent-once", ctx -> {
        if (ctx.attempt() == 1) {
          ctx.heartbeat();
          never.pass();
        }
        return ctx.attempt();
      }));
      awaitState(h, TaskState.RUNNING);

      clock.advance(Duration.ofSeconds(1));

      assertThat(h.join()).isEqualTo(2);
    }
  }

  @Test
  void resultsRejectedUntilAttemptsRunOutFailWithRetriesExhausted() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(3).backoff(Backoff.none())
        .retryIfResult("pending"::equals).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<String> h = rt.submit(Task.of("poll", ctx -> "pending"));

      assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class).cause()
          .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
            assertThat(e.lastResult()).isEqualTo("pending");
            assertThat(e.attempts()).isEqualTo(3);
          });
      assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(3);
      assertThat(h.state()).isEqualTo(TaskState.FAILED);
    }
  }

  @Test
  void aRejectedResultThenAnAcceptedOneSucceeds() {
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none())
        .retryIfResult("pending"::equals).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<String> h = rt.submit(Task.of("poll", ctx -> ctx.attempt() < 2 ? "pending" : "ready"));

      assertThat(h.join()).isEqualTo("ready");
    }
  }

  @Test
  void aFallbackMakesAFailingTaskSucceed() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(2).backoff(Backoff.none())
        .fallback(failure -> "default (" + failure.getMessage() + ")").build();
    try (AgentRuntime rt = runtime(policy).build()) {
      TaskHandle<String> h = rt.submit(Task.<String>of("price", ctx -> {
        throw new IllegalStateException("pricing down");
      }));

      assertThat(h.join()).isEqualTo("default (pricing down)");
      assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(2);
    }
  }

  @Test
  void aTasksOwnPolicyOverridesTheRuntimes() {
    ResiliencePolicy runtimeWide = ResiliencePolicy.builder().maxAttempts(1).build();
    ResiliencePolicy patient = ResiliencePolicy.builder().maxAttempts(4).backoff(Backoff.none())
        .build();
    try (AgentRuntime rt = runtime(runtimeWide).build()) {
      Task<Integer> flaky = Task.of("flaky", ctx -> {
        if (ctx.attempt() < 4) {
          throw new IllegalStateException("not yet");
        }
        return ctx.attempt();
      });

      assertThatThrownBy(() -> rt.submit(flaky).join()).isInstanceOf(TaskFailedException.class);
      assertThat(rt.submit(flaky.toBuilder().policy(patient).build()).join()).isEqualTo(4);
    }
  }

  @Test
  void theBudgetRefusesTheRetryItMust() {
    // no ratio and 0.1 retries per second over 10 s: one retry in the window, for every task
    RetryBudget budget = RetryBudget.of(RetryBudgetConfig.builder().ratio(0).minPerSecond(0.1)
        .window(Duration.ofSeconds(10)).build(), clock);
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(3).backoff(Backoff.none())
        .budget(budget).build();
    try (AgentRuntime rt = runtime(policy).build()) {
      Task<Object> failing = Task.of("failing", ctx -> {
        throw new IllegalStateException("attempt " + ctx.attempt());
      });

      TaskHandle<Object> first = rt.submit(failing);
      assertThatThrownBy(first::join).cause().isInstanceOf(RetryBudgetExhaustedException.class)
          .hasMessageContaining("retry budget exhausted").hasRootCauseMessage("attempt 2");
      TaskHandle<Object> second = rt.submit(failing);
      assertThatThrownBy(second::join).cause().isInstanceOf(RetryBudgetExhaustedException.class);

      assertThat(first.outcome().orElseThrow().attempts()).isEqualTo(2);
      assertThat(second.outcome().orElseThrow().attempts()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(11));
      assertThat(budget.hasRoom()).as("the window moved on").isTrue();
    }
  }

  @Test
  void aRetryFailsOverToAnAgentThatHasNotFailedTheTask() {
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none()).build();
    try (AgentRuntime rt = runtime(policy).agent(Agent.local("a2")).build()) {
      TaskHandle<String> h = rt.submit(Task.of("picky", ctx -> {
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("failed on " + ctx.agent());
        }
        return ctx.agent();
      }));

      String second = h.join();
      assertThat(h.outcome().orElseThrow().agents()).hasSize(2).doesNotHaveDuplicates()
          .endsWith(second);
    }
  }

  @Test
  void anAgentRemovedMidAttemptFailsItsTaskOverWithoutBackoff() {
    Gate never = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(1)
        .backoff(Backoff.fixed(Duration.ofHours(1))).build();
    try (AgentRuntime rt = AgentRuntime.builder().scheduler(clock).policy(policy)
        .agent(Agent.local("doomed")).build()) {
      TaskHandle<String> h = rt.submit(Task.of("moves", ctx -> {
        if (ctx.agent().equals("doomed")) {
          never.pass();
        }
        return ctx.agent();
      }));
      awaitState(h, TaskState.RUNNING);
      rt.addAgent(Agent.local("survivor"));

      rt.removeAgent("doomed");

      assertThat(h.join()).isEqualTo("survivor");
    }
  }
}
