package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Two distinct eligible agents with room drawn at random; the one with the lower load relative to its
 * capacity wins (the first drawn on a tie). O(1) while most agents have room, one scan otherwise.
 */
final class PowerOfTwoChoicesSelector extends BaseSelector {
  private final RandomGenerator random;
  private final Loads.RoomIndex room = new Loads.RoomIndex();

  PowerOfTwoChoicesSelector(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    int first = Loads.tryRandomWithRoom(eligible, task, random, -1);
    int second = first < 0 ? -1 : Loads.tryRandomWithRoom(eligible, task, random, first);
    if (second < 0) {
      int count = room.collect(eligible, task);
      if (count < 2) {
        return eligible.get(count == 0 ? 0 : room.get(0));
      }
      int i = random.nextInt(count);
      int j = random.nextInt(count - 1);
      first = room.get(i);
      second = room.get(j < i ? j : j + 1);
    }
    AgentView a = eligible.get(first);
    AgentView b = eligible.get(second);
    return Loads.compare(b, a) < 0 ? b : a;
  }

  @Override
  public String toString() {
    return "Selectors.powerOfTwoChoices()";
  }
}
