package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.random(new SplittableRandom(7));
  }

  @Test
  void picksUniformlyAmongAgentsWithRoom() {
    List<AgentView> eligible = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      eligible.add(FakeAgent.of("a" + i));
    }
    ((FakeAgent) eligible.get(4)).full();

    Map<String, Integer> counts = WeightedRoundRobinSelectorTest.picks(boundSelector(),
        List.copyOf(eligible), 100_000);

    assertThat(counts).doesNotContainKey("a4");
    for (int i = 0; i < 4; i++) {
      assertThat(counts.get("a" + i) / 100_000.0).isCloseTo(0.25, within(0.01));
    }
  }

  @Test
  void picksUniformlyWhenFewOfManyAgentsHaveRoom() {
    List<AgentView> eligible = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      FakeAgent agent = FakeAgent.of("a" + i);
      if (i % 20 != 0) {
        agent.full();
      }
      eligible.add(agent);
    }

    Map<String, Integer> counts = WeightedRoundRobinSelectorTest.picks(boundSelector(),
        List.copyOf(eligible), 40_000);

    assertThat(counts).containsOnlyKeys("a0", "a20", "a40", "a60");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c / 40_000.0).isCloseTo(0.25, within(0.01)));
  }

  @Test
  void theSameSeedGivesTheSameChoices() {
    List<AgentView> eligible = List.of(FakeAgent.of("a"), FakeAgent.of("b"), FakeAgent.of("c"));
    AgentSelector one = Selectors.random(new SplittableRandom(42));
    AgentSelector two = Selectors.random(new SplittableRandom(42));

    for (int i = 0; i < 100; i++) {
      FakeTask task = FakeTask.named("t");
      assertThat(one.select(task, eligible)).isSameAs(two.select(task, eligible));
    }
  }
}
