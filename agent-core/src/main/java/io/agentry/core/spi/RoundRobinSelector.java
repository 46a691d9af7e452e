package io.agentry.core.spi;

import java.util.List;
import java.util.Objects;

/**
 * The next eligible agent with room, in rotation over the eligible list: the runtime's default, and
 * {@code Selectors.roundRobin()} of agent-scheduler. Called under the dispatch lock.
 */
final class RoundRobinSelector implements AgentSelector {
  private int next;
  private volatile boolean bound;

  @Override
  public void bind(Scheduler clock) {
    Objects.requireNonNull(clock, "clock");
    if (bound) {
      throw new IllegalStateException(this + " is already bound to a runtime; a selector belongs to"
          + " one runtime, so make a new one for each runtime");
    }
    bound = true;
  }

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
    return "roundRobin()";
  }
}
