package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.roundRobin();
  }

  @Test
  void rotatesExactlyThroughTheEligibleAgents() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b");
    FakeAgent c = FakeAgent.of("c");
    List<AgentView> eligible = agents(a, b, c);

    List<AgentView> chosen = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      chosen.add(selector.select(FakeTask.named("t"), eligible));
    }

    assertThat(chosen).containsExactly(a, b, c, a, b, c, a, b, c);
  }

  @Test
  void skipsAFullAgentAndGoesOnFromTheOneChosen() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b").full();
    FakeAgent c = FakeAgent.of("c");
    List<AgentView> eligible = agents(a, b, c);

    List<AgentView> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chosen.add(selector.select(FakeTask.named("t"), eligible));
    }

    assertThat(chosen).containsExactly(a, c, a, c);
  }
}
