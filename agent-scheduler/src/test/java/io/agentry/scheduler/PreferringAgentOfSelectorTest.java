package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreferringAgentOfSelectorTest extends AgentSelectorContract {
  @Override
  AgentSelector newSelector() {
    return Selectors.preferringAgentOf(task -> Optional.ofNullable(task.labels().get("cache")),
        Selectors.leastConnections());
  }

  @Test
  void choosesTheAgentTheTaskNames() {
    AgentSelector selector = boundSelector();
    FakeAgent cached = FakeAgent.of("agent-9", 8, 7);
    List<AgentView> eligible = agents(FakeAgent.of("agent-0"), cached);

    assertThat(selector.select(FakeTask.withLabel("t", "cache", "agent-9"), eligible)).isSameAs(cached);
    assertThat(selector.select(FakeTask.named("t"), eligible).id()).isEqualTo("agent-0");
  }
}
