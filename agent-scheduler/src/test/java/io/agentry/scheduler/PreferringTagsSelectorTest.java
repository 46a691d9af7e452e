package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreferringTagsSelectorTest extends AgentSelectorContract {
  @Override
  AgentSelector newSelector() {
    return Selectors.preferringTags(Set.of("zone-a"), Selectors.roundRobin());
  }

  @Test
  void spreadsOverThePreferredAgentsWhileOneHasRoom() {
    AgentSelector selector = boundSelector();
    FakeAgent near1 = FakeAgent.of(Agent.local("near-1").tags("zone-a"));
    FakeAgent far = FakeAgent.of(Agent.local("far").tags("zone-b"));
    FakeAgent near2 = FakeAgent.of(Agent.local("near-2").tags("zone-a", "ssd"));
    List<AgentView> eligible = agents(near1, far, near2);

    Set<AgentView> chosen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      chosen.add(selector.select(FakeTask.named("t"), eligible));
    }

    assertThat(chosen).containsExactlyInAnyOrder(near1, near2);
  }

  @Test
  void fallsBackToAllAgentsWhenNoPreferredOneHasRoom() {
    AgentSelector selector = boundSelector();
    FakeAgent near = FakeAgent.of(Agent.local("near").tags("zone-a")).full();
    FakeAgent far = FakeAgent.of(Agent.local("far").tags("zone-b"));

    assertThat(selector.select(FakeTask.named("t"), agents(near, far))).isSameAs(far);
  }
}
