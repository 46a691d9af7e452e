package io.agentry.core;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;

/** The default selector: the next eligible agent with room, in rotation. Called under the dispatch lock. */
final class RoundRobinSelector implements AgentSelector {
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
}
