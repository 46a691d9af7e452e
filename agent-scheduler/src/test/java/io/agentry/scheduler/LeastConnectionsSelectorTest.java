package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastConnectionsSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.leastConnections();
  }

  @Test
  void picksTheAgentWithTheFewestAttemptsRelativeToCapacity() {
    FakeAgent big = FakeAgent.of("big", 16, 4); // 25%
    FakeAgent small = FakeAgent.of("small", 2, 1); // 50%
    FakeAgent idleButTiny = FakeAgent.of("tiny", 1, 1); // full

    assertThat(boundSelector().select(FakeTask.named("t"), agents(small, idleButTiny, big)))
        .isSameAs(big);
  }

  @Test
  void equallyLoadedAgentsTakeTurns() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b");
    FakeAgent c = FakeAgent.of("c");
    List<AgentView> eligible = agents(a, b, c);

    List<AgentView> chosen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      chosen.add(selector.select(FakeTask.named("t"), eligible));
    }

    assertThat(chosen).containsExactly(a, b, c, a, b, c);
  }

  @Test
  void spreadsTasksEvenlyAsTheyStart() {
    AgentSelector selector = boundSelector();
    List<FakeAgent> pool = List.of(FakeAgent.of("a", 8, 0), FakeAgent.of("b", 8, 0),
        FakeAgent.of("c", 8, 0), FakeAgent.of("d", 8, 0));
    List<AgentView> eligible = List.copyOf(pool);

    for (int i = 0; i < 16; i++) {
      ((FakeAgent) selector.select(FakeTask.named("t"), eligible)).take();
    }

    assertThat(pool).allMatch(a -> a.inFlight == 4);
  }

  @Test
  void neverPicksAnAgentBusierThanAnotherWithRoom() {
    AgentSelector selector = boundSelector();
    SplittableRandom random = new SplittableRandom(3);
    List<FakeAgent> pool = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      pool.add(FakeAgent.of("a" + i, random.nextInt(1, 10), 0));
    }
    List<AgentView> eligible = List.copyOf(pool);

    for (int step = 0; step < 20_000; step++) {
      FakeAgent done = pool.get(random.nextInt(pool.size()));
      if (done.inFlight > 0 && random.nextBoolean()) {
        done.give();
      }
      if (pool.stream().noneMatch(a -> a.hasRoomFor(FakeTask.named("probe")))) {
        continue;
      }
      FakeTask task = FakeTask.named("t");
      AgentView chosen = selector.select(task, eligible);
      for (AgentView other : eligible) {
        if (other.hasRoomFor(task)) {
          assertThat(Loads.compare(chosen, other)).as("%s vs %s", chosen, other).isLessThanOrEqualTo(0);
        }
      }
      ((FakeAgent) chosen).take();
    }
  }
}
