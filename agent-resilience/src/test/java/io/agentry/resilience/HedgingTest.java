package io.agentry.resilience;

import static io.agentry.resilience.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.TaskHedged;
import io.agentry.core.testing.ManualScheduler;
import io.agentry.resilience.Fixtures.Gate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HedgingTest {
  private static final Duration MS100 = Duration.ofMillis(100);
  private final ManualScheduler clock = new ManualScheduler();
  private final RetryBudget roomy = RetryBudget.of(RetryBudgetConfig.ofDefaults(), clock);

  private AgentRuntime runtime(ResiliencePolicy policy, List<Object> events) {
    return AgentRuntime.builder().scheduler(clock).policy(policy).shutdownGrace(Duration.ZERO)
        .agent(Agent.local("a1")).agent(Agent.local("a2"))
        .listener(events::add).build();
  }

  @Test
  void aSlowAttemptIsHedgedAfterTheDelayAndTheFirstSuccessWins() {
    Gate slow = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().hedging(Hedging.after(MS100))
        .budget(roomy).build();
    List<Object> events = new CopyOnWriteArrayList<>();
    try (AgentRuntime rt = runtime(policy, events)) {
      TaskHandle<String> h = rt.submit(Task.of("lookup", ctx -> {
        if (ctx.attempt() == 1) {
          slow.pass();
        }
        return "answer from attempt " + ctx.attempt();
      }));
      awaitState(h, TaskState.RUNNING);
      assertThat(clock.pendingDelays()).containsExactly(MS100);

      clock.advance(MS100);

      assertThat(h.join()).isEqualTo("answer from attempt 2");
      assertThat(h.outcome().orElseThrow().agents()).containsExactly("a1", "a2");
      assertThat(events).filteredOn(TaskHedged.class::isInstance).hasSize(1);
      Fixtures.awaitTrue(() -> events.stream().anyMatch(e -> e instanceof AttemptEnded a
          && a.attempt() == 1 && a.status() == AttemptEnded.Status.CANCELLED));
      assertThat(roomy.snapshot().grantedTotal()).as("the hedge was charged").isEqualTo(1);
    }
  }

  @Test
  void anAttemptFasterThanTheDelayIsNotHedged() {
    ResiliencePolicy policy = ResiliencePolicy.builder().hedging(Hedging.after(MS100)).build();
    List<Object> events = new CopyOnWriteArrayList<>();
    try (AgentRuntime rt = runtime(policy, events)) {
      assertThat(rt.submit(Task.of("fast", ctx -> "quick")).join()).isEqualTo("quick");

      assertThat(clock.pending()).as("the hedge timer was cancelled").isZero();
      assertThat(events).noneMatch(TaskHedged.class::isInstance);
    }
  }

  @Test
  void aFailedHedgeDecidesNothingWhileTheFirstAttemptRuns() {
    Gate slow = new Gate();
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(2).backoff(Backoff.none())
        .hedging(Hedging.after(MS100)).build();
    List<Object> events = new CopyOnWriteArrayList<>();
    try (AgentRuntime rt = runtime(policy, events)) {
      TaskHandle<String> h = rt.submit(Task.of("lookup", ctx -> {
        if (ctx.attempt() == 2) {
          throw new IllegalStateException("the hedge failed");
        }
        slow.pass();
        return "slow but right";
      }));
      awaitState(h, TaskState.RUNNING);
      clock.advance(MS100);
      Fixtures.awaitTrue(() -> events.stream().anyMatch(e -> e instanceof AttemptEnded a
          && a.attempt() == 2));

      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      slow.open();
      assertThat(h.join()).isEqualTo("slow but right");
    }
  }

  @Test
  void noHedgeWhileTheBudgetIsSpent() {
    RetryBudget spent = RetryBudget.of(RetryBudgetConfig.builder().ratio(0).minPerSecond(0).build(),
        clock);
    ResiliencePolicy policy = ResiliencePolicy.builder().hedging(Hedging.after(MS100))
        .budget(spent).build();

    assertThat(policy.hedgeAfter(Reports.TASK, 1)).isEmpty();
  }

  @Test
  void atMostMaxHedgesRunBesideTheFirstAttempt() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .hedging(Hedging.after(MS100).withMaxHedges(2)).build();

    assertThat(policy.hedgeAfter(Reports.TASK, 1)).contains(MS100);
    assertThat(policy.hedgeAfter(Reports.TASK, 2)).contains(MS100);
    assertThat(policy.hedgeAfter(Reports.TASK, 3)).isEmpty();
  }

  @Test
  void percentileHedgingWaitsForSamplesThenHedgesAtThePercentileOfSuccesses() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .hedging(Hedging.atPercentile(90).withMinSamples(100)).build();
    Task<Object> other = Task.of("other", ctx -> null);
    for (int ms = 1; ms <= 99; ms++) {
      policy.afterAttempt(Reports.succeeded(Reports.TASK, "t" + ms, 1, "ok", Duration.ZERO,
          Duration.ofMillis(ms)));
    }
    assertThat(policy.hedgeAfter(Reports.TASK, 1)).as("99 samples").isEmpty();
    policy.afterAttempt(Reports.failed(1, new IllegalStateException("failures are not samples")));
    assertThat(policy.hedgeAfter(Reports.TASK, 1)).isEmpty();

    policy.afterAttempt(Reports.succeeded(Reports.TASK, "t100", 1, "ok", Duration.ZERO,
        Duration.ofMillis(100)));

    Optional<Duration> delay = policy.hedgeAfter(Reports.TASK, 1);
    assertThat(delay).hasValueSatisfying(d -> assertThat(d.toNanos())
        .as("p90 of 1..100 ms, within a histogram bucket").isBetween(90_000_000L, 101_250_000L));
    assertThat(policy.hedgeAfter(other, 1)).as("another task name has its own sample").isEmpty();
  }

  @Test
  void percentileDelaysHaveAFloor() {
    ResiliencePolicy policy = ResiliencePolicy.builder().hedging(Hedging.atPercentile(50)
        .withMinSamples(1).withMinDelay(Duration.ofMillis(5))).build();
    policy.afterAttempt(Reports.succeeded(Reports.TASK, "t", 1, "ok", Duration.ZERO,
        Duration.ofNanos(10)));

    assertThat(policy.hedgeAfter(Reports.TASK, 1)).contains(Duration.ofMillis(5));
  }

  @Test
  void latencyBucketsHoldTheirValuesWithinAnEighth() {
    for (long v = 0; v < 5_000_000_000L; v = v * 3 / 2 + 1) {
      int i = Latencies.index(v);
      long upper = Latencies.upperBound(i);
      assertThat(upper).as("value %d", v).isGreaterThanOrEqualTo(v);
      assertThat((double) upper).isLessThanOrEqualTo(Math.max(v * 1.125, v + 1));
      assertThat(Latencies.index(upper)).isEqualTo(i);
    }
    assertThat(Latencies.upperBound(Latencies.index(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void hedgingSettingsRejectBadValuesNamingThem() {
    assertThatThrownBy(() -> Hedging.after(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("delay");
    assertThatThrownBy(() -> Hedging.atPercentile(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("percentile");
    assertThatThrownBy(() -> Hedging.after(MS100).withMaxHedges(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("maxHedges");
    assertThatThrownBy(() -> new Hedging(Optional.of(MS100), java.util.OptionalDouble.of(50), 1,
        Duration.ZERO, 1, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("exactly one of fixedDelay and percentile");
  }
}
