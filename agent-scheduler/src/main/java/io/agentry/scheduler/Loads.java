package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;
import java.util.random.RandomGenerator;

/** Small, allocation-free helpers shared by the selectors. */
final class Loads {
  /** Random draws before a sampler falls back to counting the agents with room. */
  private static final int TRIES = 8;

  private Loads() {}

  /**
   * Compares the load of two agents relative to their capacity ({@code inFlight / capacity}),
   * exactly (by cross-multiplication, no rounding).
   */
  static int compare(AgentView a, AgentView b) {
    return Long.compare((long) a.inFlight() * b.agent().capacity(),
        (long) b.inFlight() * a.agent().capacity());
  }

  /**
   * Draws, uniformly at random, the index of an eligible agent with room other than {@code exclude}
   * (-1 to exclude none), by rejection sampling: O(1) while most agents have room. Returns -1 when a
   * few draws found none; the caller then falls back to {@link RoomIndex}. Together both paths draw
   * uniformly among the agents with room.
   */
  static int tryRandomWithRoom(List<AgentView> eligible, QueuedTask task, RandomGenerator random,
      int exclude) {
    int n = eligible.size();
    for (int i = 0; i < TRIES; i++) {
      int index = random.nextInt(n);
      if (index != exclude && eligible.get(index).hasRoomFor(task)) {
        return index;
      }
    }
    return -1;
  }

  /**
   * The indexes of the eligible agents with room, collected in one pass into a buffer that a selector
   * reuses from call to call (it is called one call at a time), so that a saturated pool, where few
   * agents have room, costs one scan and no allocation.
   */
  static final class RoomIndex {
    private int[] indexes = new int[16];
    private int count;

    /** Collects the agents with room; returns how many there are. */
    int collect(List<AgentView> eligible, QueuedTask task) {
      int n = eligible.size();
      if (indexes.length < n) {
        indexes = new int[Math.max(n, 2 * indexes.length)];
      }
      int c = 0;
      for (int i = 0; i < n; i++) {
        if (eligible.get(i).hasRoomFor(task)) {
          indexes[c++] = i;
        }
      }
      count = c;
      return c;
    }

    /** The k-th agent with room collected, as an index into the eligible list. */
    int get(int k) {
      if (k >= count) {
        throw new IndexOutOfBoundsException(k);
      }
      return indexes[k];
    }
  }

  /** The first eligible agent with room, or the first eligible agent when none has room. */
  static AgentView firstWithRoom(List<AgentView> eligible, QueuedTask task) {
    for (int i = 0, n = eligible.size(); i < n; i++) {
      AgentView agent = eligible.get(i);
      if (agent.hasRoomFor(task)) {
        return agent;
      }
    }
    return eligible.get(0);
  }
}
