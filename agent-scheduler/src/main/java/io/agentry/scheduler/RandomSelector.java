package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;
import java.util.random.RandomGenerator;

/** A uniformly random eligible agent with room. */
final class RandomSelector extends BaseSelector {
  private final RandomGenerator random;
  private final Loads.RoomIndex room = new Loads.RoomIndex();

  RandomSelector(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    int index = Loads.tryRandomWithRoom(eligible, task, random, -1);
    if (index >= 0) {
      return eligible.get(index);
    }
    int count = room.collect(eligible, task);
    return eligible.get(count == 0 ? 0 : room.get(random.nextInt(count)));
  }

  @Override
  public String toString() {
    return "Selectors.random()";
  }
}
