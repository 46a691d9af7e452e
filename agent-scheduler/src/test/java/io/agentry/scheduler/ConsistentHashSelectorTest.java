package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.agentry.core.Agent;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistentHashSelectorTest extends AgentSelectorContract {
  private static final int KEYS = 20_000;

  @Override
  AgentSelector newSelector() {
    return Selectors.consistentHash();
  }

  /** The documented affinity case: a keyed task goes to its key's agent even when that one is full. */
  @Override
  boolean allowsFull(QueuedTask task, List<AgentView> eligible, AgentView chosen) {
    return task.task().key().isPresent() && chosen.id().equals(ownerOf(task, eligible));
  }

  /** The key's agent among these agents, whatever their load: what a fresh ring says. */
  static String ownerOf(QueuedTask task, List<AgentView> eligible) {
    List<AgentView> idle = new ArrayList<>();
    for (AgentView agent : eligible) {
      idle.add(FakeAgent.of(agent.agent()));
    }
    return Selectors.consistentHash().select(task, List.copyOf(idle)).id();
  }

  static List<AgentView> pool(int n) {
    List<AgentView> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(FakeAgent.of("agent-" + i));
    }
    return List.copyOf(agents);
  }

  static Map<String, String> assignment(AgentSelector selector, List<AgentView> eligible) {
    Map<String, String> owners = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      String key = "key-" + k;
      owners.put(key, selector.select(FakeTask.withKey("t", key), eligible).id());
    }
    return owners;
  }

  @Test
  void theSameKeyAlwaysGoesToTheSameAgent() {
    AgentSelector selector = boundSelector();
    List<AgentView> eligible = pool(8);

    Map<String, String> first = assignment(selector, eligible);
    Map<String, String> again = assignment(selector, eligible);

    assertThat(again).isEqualTo(first);
  }

  @Test
  void theMappingDependsOnlyOnWhichAgentsAreEligible() {
    List<AgentView> eligible = pool(8);
    List<AgentView> shuffled = new ArrayList<>(pool(8));
    Collections.shuffle(shuffled, new Random(1));

    Map<String, String> one = assignment(boundSelector(), eligible);
    Map<String, String> other = assignment(boundSelector(), List.copyOf(shuffled));

    assertThat(other).isEqualTo(one);
  }

  @Test
  void keysSpreadEvenlyOverTheAgents() {
    Map<String, String> owners = assignment(boundSelector(), pool(10));

    Map<String, Integer> counts = new HashMap<>();
    owners.values().forEach(id -> counts.merge(id, 1, Integer::sum));

    assertThat(counts).hasSize(10);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c / (double) KEYS).isCloseTo(0.1, within(0.025)));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 9, 19, 49})
  void addingOneAgentMovesAboutOneInNPlusOneOfTheKeysAllToIt(int n) {
    AgentSelector selector = boundSelector();
    Map<String, String> before = assignment(selector, pool(n));

    Map<String, String> after = assignment(selector, pool(n + 1));

    int moved = 0;
    for (Map.Entry<String, String> e : before.entrySet()) {
      String now = after.get(e.getKey());
      if (!now.equals(e.getValue())) {
        moved++;
        assertThat(now).isEqualTo("agent-" + n);
      }
    }
    double expected = 1.0 / (n + 1);
    assertThat(moved / (double) KEYS).isCloseTo(expected, within(expected * 0.1));
  }

  @Test
  void removingAnAgentMovesOnlyItsKeys() {
    AgentSelector selector = boundSelector();
    List<AgentView> all = pool(6);
    Map<String, String> before = assignment(selector, all);
    List<AgentView> without = new ArrayList<>(all);
    without.remove(3);

    Map<String, String> after = assignment(selector, List.copyOf(without));

    for (Map.Entry<String, String> e : before.entrySet()) {
      if (!e.getValue().equals("agent-3")) {
        assertThat(after.get(e.getKey())).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void agentsNotEligibleForATaskAreSkippedAsIfAbsent() {
    AgentSelector selector = boundSelector();
    List<AgentView> all = pool(8);
    assignment(selector, all);
    List<AgentView> subset = List.of(all.get(1), all.get(4), all.get(6));

    assertThat(assignment(selector, subset)).isEqualTo(assignment(boundSelector(), subset));
  }

  @Test
  void aFullAgentKeepsItsKeysSoTheRuntimePinsTheTask() {
    AgentSelector selector = boundSelector();
    List<AgentView> eligible = pool(4);
    FakeTask task = FakeTask.withKey("t", "session-42");
    FakeAgent owner = (FakeAgent) selector.select(task, eligible);
    owner.full();

    assertThat(selector.select(task, eligible)).isSameAs(owner);
  }

  @Test
  void heavierAgentsGetProportionallyMoreKeys() {
    List<AgentView> eligible = List.of(FakeAgent.of(Agent.local("light")),
        FakeAgent.of(Agent.local("heavy").weight(3)));

    Map<String, Integer> counts = new HashMap<>();
    assignment(boundSelector(), eligible).values().forEach(id -> counts.merge(id, 1, Integer::sum));

    assertThat(counts.get("heavy") / (double) KEYS).isCloseTo(0.75, within(0.03));
  }

  @Test
  void aChangedWeightReplacesTheAgentsPoints() {
    AgentSelector selector = boundSelector();
    assignment(selector, List.of(FakeAgent.of("a"), FakeAgent.of("b")));
    List<AgentView> reweighted = List.of(FakeAgent.of("a"), FakeAgent.of(Agent.local("b").weight(3)));

    assertThat(assignment(selector, reweighted)).isEqualTo(assignment(boundSelector(), reweighted));
  }

  @Test
  void tasksWithoutAKeyGoToTheKeylessSelector() {
    AgentSelector selector = Selectors.consistentHash(
        ConsistentHashConfig.builder().keylessSelector(Selectors::roundRobin).build());
    selector.bind(new ManualScheduler());
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b");

    List<AgentView> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chosen.add(selector.select(FakeTask.named("t"), List.of(a, b)));
    }

    assertThat(chosen).containsExactly(a, b, a, b);
  }

  @Test
  void configRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> ConsistentHashConfig.builder().virtualNodes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("virtualNodes")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> ConsistentHashConfig.builder().boundedLoad(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundedLoad");
    assertThatThrownBy(() -> ConsistentHashConfig.builder().boundedLoad(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundedLoad");
    assertThatThrownBy(() -> ConsistentHashConfig.builder().boundedLoad(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boundedLoad");
  }

  @Test
  void configBuildsVariants() {
    ConsistentHashConfig bounded = ConsistentHashConfig.builder().boundedLoad(0.25).virtualNodes(50)
        .build();

    ConsistentHashConfig unbounded = bounded.toBuilder().unboundedLoad().build();

    assertThat(bounded.boundedLoad()).hasValue(0.25);
    assertThat(unbounded.boundedLoad()).isEmpty();
    assertThat(unbounded.virtualNodes()).isEqualTo(50);
    assertThat(ConsistentHashConfig.ofDefaults().virtualNodes())
        .isEqualTo(ConsistentHashConfig.DEFAULT_VIRTUAL_NODES);
  }
}
