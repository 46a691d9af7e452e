package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;

/**
 * Smooth weighted round-robin (nginx): each pick adds every candidate's weight to its current value,
 * takes the largest, and subtracts the candidates' total weight from it. Over any window each agent is
 * picked in proportion to its weight, interleaved (weights 5, 1, 1 give a a b a c a a), never in bursts.
 * Candidates are the eligible agents with room; an agent without room neither gains nor loses credit.
 */
final class WeightedRoundRobinSelector extends BaseSelector {
  private static final class Credit {
    long current;
  }

  private final AgentStates<Credit> credits = new AgentStates<>(Credit::new);

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    Object[] states = credits.align(eligible);
    int best = -1;
    long bestCurrent = Long.MIN_VALUE;
    long total = 0;
    for (int i = 0, n = eligible.size(); i < n; i++) {
      AgentView agent = eligible.get(i);
      if (!agent.hasRoomFor(task)) {
        continue;
      }
      Credit credit = (Credit) states[i];
      int weight = agent.agent().weight();
      credit.current += weight;
      total += weight;
      if (credit.current > bestCurrent) {
        bestCurrent = credit.current;
        best = i;
      }
    }
    if (best < 0) {
      return eligible.get(0);
    }
    ((Credit) states[best]).current -= total;
    return eligible.get(best);
  }

  @Override
  public String toString() {
    return "Selectors.weightedRoundRobin()";
  }
}
