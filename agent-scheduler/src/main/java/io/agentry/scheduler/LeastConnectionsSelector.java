package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;

/**
 * The eligible agent with room that runs the fewest attempts relative to its capacity; among equally
 * loaded agents the choice rotates, so idle agents share work evenly.
 */
final class LeastConnectionsSelector extends BaseSelector {
  private int next;

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    int n = eligible.size();
    int start = Math.floorMod(next, n);
    AgentView best = null;
    int bestIndex = -1;
    for (int i = 0; i < n; i++) {
      int index = start + i < n ? start + i : start + i - n;
      AgentView agent = eligible.get(index);
      if (agent.hasRoomFor(task) && (best == null || Loads.compare(agent, best) < 0)) {
        best = agent;
        bestIndex = index;
      }
    }
    if (best == null) {
      return eligible.get(start);
    }
    next = bestIndex + 1;
    return best;
  }

  @Override
  public String toString() {
    return "Selectors.leastConnections()";
  }
}
