package io.agentry.resilience;

import static io.agentry.resilience.Fixtures.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.NoEligibleAgentException;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CircuitBreakingThroughRuntimeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ManualScheduler clock = new ManualScheduler();
  private final AtomicBoolean a1Broken = new AtomicBoolean(true);
  private final Task<String> work = Task.of("work", ctx -> {
    if (ctx.agent().equals("a1") && a1Broken.get()) {
      throw new IllegalStateException("a1 is broken");
    }
    return ctx.agent();
  });

  @Test
  void aFailingAgentIsEjectedThenProbedBackIn() {
    CircuitBreakers breakers = CircuitBreakers.of(CircuitBreakerConfig.builder()
        .consecutiveFailures(2).waitInOpen(WAIT).halfOpenProbes(1).build());
    List<CircuitStateChanged> events = new CopyOnWriteArrayList<>();
    breakers.onStateChange(events::add);
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none()).build();
    try (AgentRuntime rt = AgentRuntime.builder().scheduler(clock).policy(policy).guard(breakers)
        .agent(Agent.local("a1")).agent(Agent.local("a2")).build()) {
      // round-robin sends tasks to a1 in turn until its circuit opens; retries fail over to a2
      for (int i = 0; i < 4 && breakers.state("a1") == CircuitState.CLOSED; i++) {
        assertThat(rt.submit(work).join()).isEqualTo("a2");
        awaitTrue(() -> rt.snapshot().agent("a1").orElseThrow().inFlight() == 0);
      }
      awaitTrue(() -> breakers.state("a1") == CircuitState.OPEN);

      for (int i = 0; i < 6; i++) {
        TaskHandle<String> h = rt.submit(work);
        assertThat(h.join()).isEqualTo("a2");
        assertThat(h.outcome().orElseThrow().agents()).as("a1 gets no task").containsExactly("a2");
      }

      a1Broken.set(false);
      clock.advance(WAIT);
      assertThat(breakers.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
      for (int i = 0; i < 4 && breakers.state("a1") != CircuitState.CLOSED; i++) {
        rt.submit(work).join();
        awaitTrue(() -> rt.snapshot().agent("a1").orElseThrow().inFlight() == 0);
      }

      awaitTrue(() -> breakers.state("a1") == CircuitState.CLOSED);
      assertThat(events).extracting(CircuitStateChanged::to).containsExactly(CircuitState.OPEN,
          CircuitState.HALF_OPEN, CircuitState.CLOSED);
    }
  }

  @Test
  void whileEveryCircuitIsOpenTasksWaitAndGoWhenOneTurnsHalfOpen() {
    CircuitBreakers breakers = CircuitBreakers.of(CircuitBreakerConfig.builder()
        .consecutiveFailures(1).waitInOpen(WAIT).halfOpenProbes(1).build());
    try (AgentRuntime rt = AgentRuntime.builder().scheduler(clock).guard(breakers)
        .agent(Agent.local("a1")).build()) {
      rt.submit(work).await();
      awaitTrue(() -> breakers.state("a1") == CircuitState.OPEN);
      a1Broken.set(false);

      TaskHandle<String> waiting = rt.submit(work);
      assertThat(waiting.state()).isEqualTo(TaskState.QUEUED);
      clock.advance(WAIT);

      assertThat(waiting.join()).isEqualTo("a1");
      awaitTrue(() -> breakers.state("a1") == CircuitState.CLOSED);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aTaskWaitingOnOpenCircuitsEndsAtItsQueueTimeout() throws InterruptedException {
    CircuitBreakers breakers = CircuitBreakers.of(CircuitBreakerConfig.builder()
        .consecutiveFailures(1).waitInOpen(WAIT).build());
    try (AgentRuntime rt = AgentRuntime.builder().scheduler(clock).guard(breakers)
        .agent(Agent.local("a1")).build()) {
      rt.submit(work).await();
      awaitTrue(() -> breakers.state("a1") == CircuitState.OPEN);

      TaskHandle<String> h = rt.submit(work.toBuilder().queueTimeout(Duration.ofSeconds(1)).build());
      clock.advance(Duration.ofSeconds(1));

      assertThat(h.state()).isEqualTo(TaskState.TIMED_OUT);
      assertThat(h.outcome().orElseThrow()).isInstanceOfSatisfying(
          io.agentry.core.TaskOutcome.TimedOut.class, t -> assertThat(t.cause())
              .isInstanceOf(NoEligibleAgentException.class).hasMessageContaining("queueTimeout"));
    }
  }
}
