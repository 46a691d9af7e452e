package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BoundedLoadConsistentHashSelectorTest extends AgentSelectorContract {
  private static final double EPSILON = 0.25;

  @Override
  AgentSelector newSelector() {
    return Selectors.consistentHash(ConsistentHashConfig.builder().boundedLoad(EPSILON).build());
  }

  static long bound(List<AgentView> eligible) {
    long total = eligible.stream().mapToLong(AgentView::inFlight).sum();
    return (long) Math.ceil((1 + EPSILON) * (total + 1) / eligible.size());
  }

  /**
   * The documented affinity case with bounded load: every agent under the bound is full (possible
   * only with unequal capacities), so the task waits for the first of them on the ring.
   */
  @Override
  boolean allowsFull(QueuedTask task, List<AgentView> eligible, AgentView chosen) {
    long bound = bound(eligible);
    return task.task().key().isPresent() && chosen.inFlight() < bound
        && eligible.stream().noneMatch(a -> a.inFlight() < bound && a.hasRoomFor(task));
  }

  @Test
  void noAgentIsGivenATaskAboveTheBoundEvenWithAHotKey() {
    AgentSelector selector = boundSelector();
    SplittableRandom random = new SplittableRandom(21);
    List<FakeAgent> pool = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pool.add(FakeAgent.of("agent-" + i, 64, 0));
    }
    List<AgentView> eligible = List.copyOf(pool);

    for (int step = 0; step < 50_000; step++) {
      if (random.nextInt(3) == 0) {
        FakeAgent done = pool.get(random.nextInt(pool.size()));
        if (done.inFlight > 0) {
          done.give();
        }
      }
      String key = random.nextInt(2) == 0 ? "hot" : "key-" + random.nextInt(1_000);
      FakeTask task = FakeTask.withKey("t", key);
      if (pool.stream().noneMatch(a -> a.hasRoomFor(task))) {
        continue;
      }
      long bound = bound(eligible);
      FakeAgent chosen = (FakeAgent) selector.select(task, eligible);

      assertThat(chosen.hasRoomFor(task)).isTrue();
      chosen.take();
      assertThat((long) chosen.inFlight).as("load of %s, bound %d", chosen, bound)
          .isLessThanOrEqualTo(bound);
    }
  }

  @Test
  void keysStayOnTheirAgentWhileItIsUnderTheBound() {
    AgentSelector bounded = boundSelector();
    List<AgentView> eligible = ConsistentHashSelectorTest.pool(8);

    Map<String, String> owners = ConsistentHashSelectorTest.assignment(bounded, eligible);

    assertThat(owners).isEqualTo(ConsistentHashSelectorTest.assignment(
        Selectors.consistentHash(), eligible));
  }

  @Test
  void aHotKeySpillsToTheNextAgentsOnTheRing() {
    AgentSelector selector = boundSelector();
    List<FakeAgent> pool = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pool.add(FakeAgent.of("agent-" + i, 100, 0));
    }
    List<AgentView> eligible = List.copyOf(pool);

    Map<String, Integer> placed = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      FakeAgent chosen = (FakeAgent) selector.select(FakeTask.withKey("t", "hot"), eligible);
      chosen.take();
      placed.merge(chosen.id(), 1, Integer::sum);
    }

    assertThat(placed).hasSizeGreaterThanOrEqualTo(3);
    assertThat(placed.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(13));
  }
}
