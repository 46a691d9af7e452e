package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreferringSelectorTest {

  static AgentSelector bound(AgentSelector selector) {
    selector.bind(new ManualScheduler());
    return selector;
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    assertThatThrownBy(() -> Selectors.preferringAgent(" ", Selectors.roundRobin()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agentId");
    assertThatThrownBy(() -> Selectors.preferringTags(Set.of(), Selectors.roundRobin()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags");
    assertThatThrownBy(() -> Selectors.preferringTags(Set.of(""), Selectors.roundRobin()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag");
    assertThatThrownBy(() -> Selectors.preferringAgent("a", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("fallback");
  }

  @Test
  void bindingReachesTheFallback() {
    AgentSelector fallback = Selectors.roundRobin();
    AgentSelector selector = Selectors.preferringAgent("a", fallback);

    bound(selector);

    assertThatThrownBy(() -> fallback.bind(new ManualScheduler()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void latenciesReachTheFallback() {
    AgentSelector selector = bound(Selectors.preferringTags(Set.of("x"), Selectors.peakEwma()));
    FakeAgent slow = FakeAgent.of("slow");
    FakeAgent fast = FakeAgent.of("fast");
    selector.attemptEnded("slow", 100_000_000, true);
    selector.attemptEnded("fast", 1_000_000, true);

    List<AgentView> chosen = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      chosen.add(selector.select(FakeTask.named("t"), List.of(slow, fast)));
    }

    assertThat(chosen).containsOnly(fast);
  }
}
