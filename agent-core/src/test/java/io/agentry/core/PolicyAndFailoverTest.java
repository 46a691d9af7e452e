package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.spi.AttemptReport;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PolicyAndFailoverTest {
  private final ManualScheduler clock = new ManualScheduler();

  /** Retries every failure up to {@code max} attempts, after {@code delay}. */
  private static ExecutionPolicy retrying(int max, Duration delay) {
    return report -> report.succeeded() || report.attempt() >= max
        ? Decision.complete()
        : Decision.retry(delay);
  }

  @Test
  void aRetryWaitsOnTheTimerThenRunsAgain() {
    AtomicInteger calls = new AtomicInteger();
    try (var runtime = AgentRuntime.builder().scheduler(clock)
        .policy(retrying(3, Duration.ofSeconds(2)))
        .agent(Agent.local("a1")).build()) {
      TaskHandle<Integer> h = runtime.submit(Task.of("flaky", ctx -> {
        if (calls.incrementAndGet() < 3) {
          throw new IllegalStateException("attempt " + ctx.attempt());
        }
        return ctx.attempt();
      }));

      awaitState(h, TaskState.RETRY_WAIT);
      assertThat(clock.pendingDelays()).containsExactly(Duration.ofSeconds(2));
      assertThat(runtime.snapshot().waitingToRetry()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(2));
      awaitState(h, TaskState.RETRY_WAIT);
      clock.advance(Duration.ofSeconds(2));

      assertThat(h.join()).isEqualTo(3);
      assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(3);
    }
  }

  @Test
  void retriesGoToAnAgentThatHasNotFailedTheTask() {
    try (var runtime = AgentRuntime.builder()
        .policy(retrying(3, Duration.ZERO))
        .agent(Agent.local("a1")).agent(Agent.local("a2")).agent(Agent.local("a3"))
        .build()) {
      TaskHandle<String> h = runtime.submit(Task.of("fails-twice", ctx -> {
        if (ctx.attempt() < 3) {
          throw new IllegalStateException("no");
        }
        return ctx.agent();
      }));

      String last = h.join();
      List<String> agents = h.outcome().orElseThrow().agents();
      assertThat(agents).containsExactlyInAnyOrder("a1", "a2", "a3");
      assertThat(agents.get(2)).isEqualTo(last);
    }
  }

  @Test
  void whenRetriesRunOutTheLastFailureIsTheCause() {
    try (var runtime = AgentRuntime.builder()
        .policy(retrying(2, Duration.ZERO)).agent(Agent.local("a1")).build()) {
      TaskHandle<Object> h = runtime.submit(Task.of("always", ctx -> {
        throw new IllegalStateException("attempt " + ctx.attempt());
      }));

      assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class)
          .cause().hasMessage("attempt 2");
    }
  }

  @Test
  void thePolicyCanFailWithItsOwnCauseOrSucceedWithAFallback() {
    ExecutionPolicy fallback = report -> report.succeeded()
        ? Decision.complete()
        : Decision.succeed("fallback");
    IllegalStateException own = new IllegalStateException("policy says no");
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      TaskHandle<String> saved = runtime.submit(Task.<String>builder("saved", ctx -> {
        throw new RuntimeException("x");
      }).policy(fallback).build());
      TaskHandle<String> failed = runtime.submit(Task.<String>builder("failed", ctx -> "value")
          .policy(report -> Decision.fail(own)).build());

      assertThat(saved.join()).isEqualTo("fallback");
      assertThatThrownBy(failed::join).cause().isSameAs(own);
    }
  }

  @Test
  void thePolicySeesEveryAttemptAndMayProvideTimeouts() {
    List<AttemptReport> seen = new CopyOnWriteArrayList<>();
    ExecutionPolicy policy = new ExecutionPolicy() {
      @Override
      public TaskTimeouts timeouts(Task<?> task) {
        return TaskTimeouts.none().withAttemptTimeout(Duration.ofSeconds(1));
      }

      @Override
      public Decision afterAttempt(AttemptReport report) {
        seen.add(report);
        return report.attempt() < 2 ? Decision.retry(Duration.ZERO) : Decision.complete();
      }
    };
    Gate never = new Gate();
    try (var runtime = AgentRuntime.builder().scheduler(clock).policy(policy)
        .shutdownGrace(Duration.ZERO).agent(Agent.local("a1")).build()) {
      TaskHandle<Integer> h = runtime.submit(Task.of("hangs", ctx -> {
        never.pass();
        return 1;
      }));
      awaitState(h, TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));
      Fixtures.awaitState(h, TaskState.RUNNING);
      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(seen).hasSize(2).allSatisfy(r -> {
        assertThat(r.failure()).isInstanceOf(TaskTimeoutException.class);
        assertThat(r.taskId()).isEqualTo(h.id());
      });
      assertThat(seen.get(1).agentsTried()).containsExactly("a1", "a1");
    }
  }

  @Test
  void aPolicyThatThrowsIsIgnoredAndTheAttemptDecides() {
    ExecutionPolicy broken = report -> {
      throw new IllegalStateException("broken policy");
    };
    try (var runtime = AgentRuntime.builder().policy(broken).agent(Agent.local("a1")).build()) {
      assertThat(runtime.submit(Task.of("ok", ctx -> 7)).join()).isEqualTo(7);
    }
  }

  @Test
  void removingAnAgentFailsItsAttemptsOverToAnother() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(1)).agent(Agent.local("a2").capacity(1)).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("moves", ctx -> {
        if (ctx.agent().equals("a1")) {
          gate.pass(); // interrupted when a1 is removed
        }
        return ctx.agent();
      }));
      awaitState(h, TaskState.RUNNING);

      runtime.removeAgent("a1");

      assertThat(h.join()).isEqualTo("a2");
      assertThat(h.outcome().orElseThrow().agents()).containsExactly("a1", "a2");
      assertThat(runtime.snapshot().agent("a1")).isEmpty();
    }
  }
}
