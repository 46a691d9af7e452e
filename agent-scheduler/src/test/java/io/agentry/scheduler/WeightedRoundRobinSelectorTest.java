package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentry.core.Agent;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.weightedRoundRobin();
  }

  static List<AgentView> weighted(int... weights) {
    List<AgentView> agents = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      agents.add(FakeAgent.of(Agent.local("w" + i).weight(weights[i])));
    }
    return List.copyOf(agents);
  }

  static Map<String, Integer> picks(AgentSelector selector, List<AgentView> eligible, int times) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < times; i++) {
      counts.merge(selector.select(FakeTask.named("t"), eligible).id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void picksEachAgentInProportionToItsWeightWithinOnePercent() {
    List<AgentView> eligible = weighted(1, 2, 3, 4);

    Map<String, Integer> counts = picks(boundSelector(), eligible, 100_000);

    for (int i = 0; i < 4; i++) {
      assertThat(counts.get("w" + i) / 100_000.0).as("share of w%d", i)
          .isCloseTo((i + 1) / 10.0, within(0.01));
    }
  }

  @Test
  void interleavesPicksRatherThanBursting() {
    List<AgentView> eligible = weighted(5, 1, 1);
    AgentSelector selector = boundSelector();

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      order.add(selector.select(FakeTask.named("t"), eligible).id());
    }

    assertThat(order).containsExactly("w0", "w0", "w1", "w0", "w2", "w0", "w0");
  }

  @Test
  void sharesTheWorkOfAFullAgentAmongTheOthersByWeight() {
    List<AgentView> eligible = weighted(1, 1, 2);
    ((FakeAgent) eligible.get(0)).full();

    Map<String, Integer> counts = picks(boundSelector(), eligible, 30_000);

    assertThat(counts).doesNotContainKey("w0");
    assertThat(counts.get("w2") / 30_000.0).isCloseTo(2 / 3.0, within(0.01));
  }
}
