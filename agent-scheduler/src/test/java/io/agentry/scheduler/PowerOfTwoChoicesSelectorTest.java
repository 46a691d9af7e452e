package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesSelectorTest extends AgentSelectorContract {

  @Override
  AgentSelector newSelector() {
    return Selectors.powerOfTwoChoices(new SplittableRandom(5));
  }

  @Test
  void ofTwoAgentsWithRoomPicksTheLessLoaded() {
    AgentSelector selector = boundSelector();
    FakeAgent busy = FakeAgent.of("busy", 10, 9);
    FakeAgent idle = FakeAgent.of("idle", 10, 1);

    for (int i = 0; i < 50; i++) {
      assertThat(selector.select(FakeTask.named("t"), agents(busy, idle))).isSameAs(idle);
    }
  }

  @Test
  void whenFewOfManyAgentsHaveRoomPicksTheLessLoadedOfThem() {
    AgentSelector selector = boundSelector();
    List<AgentView> eligible = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      eligible.add(FakeAgent.of("full" + i, 4, 4));
    }
    FakeAgent busy = FakeAgent.of("busy", 4, 3);
    FakeAgent idle = FakeAgent.of("idle", 4, 0);
    eligible.add(37, busy);
    eligible.add(71, idle);
    List<AgentView> fixed = List.copyOf(eligible);

    for (int i = 0; i < 1_000; i++) {
      assertThat(selector.select(FakeTask.named("t"), fixed)).isSameAs(idle);
    }
  }

  @Test
  void neverPicksTheUniqueMostLoadedAgent() {
    AgentSelector selector = boundSelector();
    List<AgentView> eligible = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      eligible.add(FakeAgent.of("a" + i, 10, i));
    }
    FakeAgent busiest = FakeAgent.of("busiest", 10, 9);
    eligible.add(busiest);
    List<AgentView> fixed = List.copyOf(eligible);

    for (int i = 0; i < 10_000; i++) {
      assertThat(selector.select(FakeTask.named("t"), fixed)).isNotSameAs(busiest);
    }
  }

  @Test
  void keepsLoadsCloseAsTasksStartAndEnd() {
    AgentSelector selector = boundSelector();
    SplittableRandom random = new SplittableRandom(9);
    List<FakeAgent> pool = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      pool.add(FakeAgent.of("a" + i, 1_000, 0));
    }
    List<AgentView> eligible = List.copyOf(pool);

    for (int i = 0; i < 8_000; i++) {
      ((FakeAgent) selector.select(FakeTask.named("t"), eligible)).take();
      if (i % 2 == 1) {
        FakeAgent done = pool.get(random.nextInt(pool.size()));
        if (done.inFlight > 0) {
          done.give();
        }
      }
    }

    int max = pool.stream().mapToInt(a -> a.inFlight).max().orElseThrow();
    int min = pool.stream().mapToInt(a -> a.inFlight).min().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(20);
  }
}
