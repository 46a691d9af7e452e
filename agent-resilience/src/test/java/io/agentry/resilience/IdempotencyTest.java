package io.agentry.resilience;

import static io.agentry.resilience.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import io.agentry.resilience.Fixtures.Gate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Idempotency keys (built into the core) end to end, alone and with a retry policy. */
class IdempotencyTest {
  private final AtomicInteger runs = new AtomicInteger();

  private AgentRuntime runtime() {
    return AgentRuntime.builder().agent(Agent.local("a1")).agent(Agent.local("a2"))
        .policy(ResiliencePolicy.builder().backoff(Backoff.none()).build())
        .resultCache(100, Duration.ofMinutes(5)).build();
  }

  @Test
  void identicalTasksInFlightShareOneExecution() {
    Gate gate = new Gate();
    Task<String> charge = Task.builder("charge", ctx -> {
      runs.incrementAndGet();
      gate.pass();
      return "charged once";
    }).idempotencyKey("order-42").build();
    try (AgentRuntime rt = runtime()) {
      TaskHandle<String> first = rt.submit(charge);
      awaitState(first, TaskState.RUNNING);

      TaskHandle<String> second = rt.submit(charge);
      gate.open();

      assertThat(second.join()).isEqualTo("charged once");
      assertThat(first.join()).isEqualTo("charged once");
      assertThat(second.id()).isEqualTo(first.id());
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void aRepeatAfterSuccessIsAnsweredFromTheCache() {
    Task<String> charge = Task.builder("charge", ctx -> "receipt " + runs.incrementAndGet())
        .idempotencyKey("order-7").build();
    try (AgentRuntime rt = runtime()) {
      assertThat(rt.submit(charge).join()).isEqualTo("receipt 1");

      assertThat(rt.submit(charge).join()).isEqualTo("receipt 1");
      assertThat(runs).hasValue(1);
    }
  }

  @Test
  void aSuccessAfterRetriesIsCachedButAFailureIsNot() {
    Task<String> flaky = Task.builder("flaky", ctx -> {
      if (runs.incrementAndGet() == 1) {
        throw new IllegalStateException("first attempt fails");
      }
      return "ok after " + ctx.attempt() + " attempt(s)";
    }).idempotencyKey("k-flaky").build();
    Task<String> failing = Task.<String>builder("failing", ctx -> {
      throw new IllegalStateException("run " + runs.incrementAndGet());
    }).idempotencyKey("k-failing").policy(ResiliencePolicy.builder().maxAttempts(1).build())
        .build();
    try (AgentRuntime rt = runtime()) {
      assertThat(rt.submit(flaky).join()).isEqualTo("ok after 2 attempt(s)");
      assertThat(rt.submit(flaky).join()).isEqualTo("ok after 2 attempt(s)");
      assertThat(runs).hasValue(2);

      assertThatThrownBy(() -> rt.submit(failing).join()).hasRootCauseMessage("run 3");
      assertThatThrownBy(() -> rt.submit(failing).join()).hasRootCauseMessage("run 4");
    }
  }
}
