package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A random eligible agent with room, drawn with probability proportional to its weight. Cumulative
 * weights are kept per eligible list; a draw that lands on an agent without room is drawn again a few
 * times (which keeps the distribution exact), then the agents with room are summed directly.
 */
final class WeightedRandomSelector extends BaseSelector {
  private static final int TRIES = 8;
  private final RandomGenerator random;
  private @Nullable List<AgentView> list;
  private long[] cumulative = new long[0];

  WeightedRandomSelector(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    int n = eligible.size();
    if (eligible != list) {
      long[] sums = new long[n];
      long sum = 0;
      for (int i = 0; i < n; i++) {
        sum += eligible.get(i).agent().weight();
        sums[i] = sum;
      }
      cumulative = sums;
      list = eligible;
    }
    long total = cumulative[n - 1];
    for (int t = 0; t < TRIES; t++) {
      int index = upperBound(cumulative, random.nextLong(total));
      AgentView agent = eligible.get(index);
      if (agent.hasRoomFor(task)) {
        return agent;
      }
    }
    long withRoom = 0;
    for (int i = 0; i < n; i++) {
      AgentView agent = eligible.get(i);
      if (agent.hasRoomFor(task)) {
        withRoom += agent.agent().weight();
      }
    }
    if (withRoom == 0) {
      return eligible.get(0);
    }
    long r = random.nextLong(withRoom);
    for (int i = 0; i < n; i++) {
      AgentView agent = eligible.get(i);
      if (agent.hasRoomFor(task)) {
        r -= agent.agent().weight();
        if (r < 0) {
          return agent;
        }
      }
    }
    return Loads.firstWithRoom(eligible, task);
  }

  /** The first index whose cumulative weight exceeds {@code r}. */
  private static int upperBound(long[] sums, long r) {
    int lo = 0;
    int hi = sums.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sums[mid] > r) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  @Override
  public String toString() {
    return "Selectors.weightedRandom()";
  }
}
