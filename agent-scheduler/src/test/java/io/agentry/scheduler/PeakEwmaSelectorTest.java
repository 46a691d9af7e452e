package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeakEwmaSelectorTest extends AgentSelectorContract {
  private static final Duration DECAY = Duration.ofSeconds(10);
  private static final long MS = 1_000_000;

  private final ManualScheduler clock = new ManualScheduler();

  @Override
  AgentSelector newSelector() {
    return Selectors.peakEwma(DECAY, new SplittableRandom(1));
  }

  private AgentSelector onClock() {
    AgentSelector selector = newSelector();
    selector.bind(clock);
    return selector;
  }

  private static AgentView pick(AgentSelector selector, FakeAgent a, FakeAgent b) {
    return selector.select(FakeTask.named("t"), List.of(a, b));
  }

  @Test
  void prefersTheAgentWithLowerLatency() {
    AgentSelector selector = onClock();
    FakeAgent fast = FakeAgent.of("fast");
    FakeAgent slow = FakeAgent.of("slow");
    selector.attemptEnded("fast", 2 * MS, true);
    selector.attemptEnded("slow", 50 * MS, true);

    for (int i = 0; i < 20; i++) {
      assertThat(pick(selector, slow, fast)).isSameAs(fast);
    }
  }

  @Test
  void aSingleSlowAttemptRaisesTheCostAtOnce() {
    AgentSelector selector = onClock();
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b");
    for (int i = 0; i < 100; i++) {
      selector.attemptEnded("a", MS, true);
    }
    selector.attemptEnded("b", 10 * MS, true);

    selector.attemptEnded("a", 100 * MS, true);

    assertThat(pick(selector, a, b)).isSameAs(b);
  }

  @Test
  void costsDecaySoThatASlowAgentIsTriedAgain() {
    AgentSelector selector = onClock();
    FakeAgent once = FakeAgent.of("once-slow");
    FakeAgent steady = FakeAgent.of("steady");
    selector.attemptEnded("once-slow", 100 * MS, true);
    selector.attemptEnded("steady", 10 * MS, true);
    assertThat(pick(selector, once, steady)).isSameAs(steady);

    for (int s = 0; s < 30; s++) {
      clock.advance(Duration.ofSeconds(1));
      selector.attemptEnded("steady", 10 * MS, true);
    }

    assertThat(pick(selector, once, steady)).isSameAs(once);
  }

  @Test
  void attemptsInFlightMultiplyTheCost() {
    AgentSelector selector = onClock();
    FakeAgent quickButBusy = FakeAgent.of("quick", 16, 4);
    FakeAgent slowerButIdle = FakeAgent.of("slower", 16, 0);
    selector.attemptEnded("quick", 10 * MS, true);
    selector.attemptEnded("slower", 20 * MS, true);

    assertThat(pick(selector, quickButBusy, slowerButIdle)).isSameAs(slowerButIdle);
  }

  @Test
  void anAgentWithWorkInFlightButNoLatencyYetCountsAsVeryLoaded() {
    AgentSelector selector = onClock();
    FakeAgent unknown = FakeAgent.of("unknown", 16, 1);
    FakeAgent known = FakeAgent.of("known", 16, 3);
    selector.attemptEnded("known", 1_000 * MS, true);

    assertThat(pick(selector, unknown, known)).isSameAs(known);
  }

  @Test
  void anIdleNewAgentIsTriedAtOnce() {
    AgentSelector selector = onClock();
    FakeAgent fresh = FakeAgent.of("fresh");
    FakeAgent known = FakeAgent.of("known");
    selector.attemptEnded("known", MS, true);

    assertThat(pick(selector, known, fresh)).isSameAs(fresh);
  }

  @Test
  void aFastFailureDoesNotMakeAnAgentLookFast() {
    AgentSelector selector = onClock();
    FakeAgent failing = FakeAgent.of("failing");
    FakeAgent steady = FakeAgent.of("steady");
    selector.attemptEnded("failing", 100 * MS, true);
    selector.attemptEnded("steady", 50 * MS, true);
    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofMillis(10));
      selector.attemptEnded("failing", MS / 10, false);
      selector.attemptEnded("steady", 50 * MS, true);
    }

    assertThat(pick(selector, failing, steady)).isSameAs(steady);
  }

  @Test
  void sendsLessWorkToASlowAgent() {
    AgentSelector selector = onClock();
    List<AgentView> pool = List.of(FakeAgent.of("a"), FakeAgent.of("b"), FakeAgent.of("c"),
        FakeAgent.of("slow"));
    for (AgentView agent : pool) {
      selector.attemptEnded(agent.id(), agent.id().equals("slow") ? 50 * MS : 10 * MS, true);
    }

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      counts.merge(selector.select(FakeTask.named("t"), pool).id(), 1, Integer::sum);
    }

    assertThat(counts).doesNotContainKey("slow");
  }

  @Test
  void decayMustBePositive() {
    assertThatThrownBy(() -> Selectors.peakEwma(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decay");
  }
}
