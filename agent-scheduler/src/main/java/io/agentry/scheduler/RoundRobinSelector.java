package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;

/** The next eligible agent with room, in rotation over the eligible list. */
final class RoundRobinSelector extends BaseSelector {
  private int next;

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    int n = eligible.size();
    int start = Math.floorMod(next, n);
    for (int i = 0; i < n; i++) {
      int index = start + i < n ? start + i : start + i - n;
      AgentView agent = eligible.get(index);
      if (agent.hasRoomFor(task)) {
        next = index + 1;
        return agent;
      }
    }
    return eligible.get(start);
  }

  @Override
  public String toString() {
    return "Selectors.roundRobin()";
  }
}
