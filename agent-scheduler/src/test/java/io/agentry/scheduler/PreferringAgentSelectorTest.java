package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferringAgentSelectorTest extends AgentSelectorContract {
  @Override
  AgentSelector newSelector() {
    return Selectors.preferringAgent("agent-1", Selectors.roundRobin());
  }

  @Test
  void choosesThePreferredAgentWhileItHasRoom() {
    AgentSelector selector = boundSelector();
    FakeAgent preferred = FakeAgent.of("agent-1", 4, 3);
    List<AgentView> eligible = agents(FakeAgent.of("agent-0"), preferred, FakeAgent.of("agent-2"));

    assertThat(selector.select(FakeTask.named("t"), eligible)).isSameAs(preferred);
  }

  @Test
  void fallsBackWhenThePreferredAgentIsFullOrAbsent() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("agent-0");
    FakeAgent b = FakeAgent.of("agent-2");

    assertThat(selector.select(FakeTask.named("t"), agents(a, FakeAgent.of("agent-1").full(), b)))
        .isSameAs(a);
    assertThat(selector.select(FakeTask.named("t"), agents(a, b))).isSameAs(b);
  }
}
