package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedRandomSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.weightedRandom(new SplittableRandom(11));
  }

  @Test
  void picksEachAgentInProportionToItsWeightWithinOnePercent() {
    List<AgentView> eligible = WeightedRoundRobinSelectorTest.weighted(1, 2, 3, 4);

    Map<String, Integer> counts = WeightedRoundRobinSelectorTest.picks(boundSelector(), eligible,
        100_000);

    for (int i = 0; i < 4; i++) {
      assertThat(counts.get("w" + i) / 100_000.0).as("share of w%d", i)
          .isCloseTo((i + 1) / 10.0, within(0.01));
    }
  }

  @Test
  void keepsProportionsAmongTheAgentsWithRoom() {
    List<AgentView> eligible = WeightedRoundRobinSelectorTest.weighted(6, 1, 3);
    ((FakeAgent) eligible.get(0)).full();

    Map<String, Integer> counts = WeightedRoundRobinSelectorTest.picks(boundSelector(), eligible,
        100_000);

    assertThat(counts).doesNotContainKey("w0");
    assertThat(counts.get("w2") / 100_000.0).isCloseTo(0.75, within(0.01));
  }
}
