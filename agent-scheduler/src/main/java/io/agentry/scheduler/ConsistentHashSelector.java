package io.agentry.scheduler;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing of task keys onto a ring of virtual nodes ({@code virtualNodes × weight} points
 * per agent). A key goes to the first point at or after its hash, clockwise, whose agent is eligible
 * for the task; so the mapping over a set of agents depends on that set only, and when an agent joins
 * only the keys whose arc it takes (about 1/n) move, all of them to it.
 *
 * <p>The ring holds every agent seen recently, not only the eligible ones: agents that are not
 * eligible for this task (other tags, down, removed) are skipped, which gives the same answer as a
 * ring of the eligible agents alone. The ring is rebuilt only when the eligible list changes (the
 * runtime passes the same list instance while its agents do not change), by merging, so placement is a
 * binary search and a short walk.
 *
 * <p>With bounded load (Mirrokni, Thorup and Zadimoghaddam, "Consistent hashing with bounded loads"),
 * the walk continues past agents that already run {@code ceil((1 + ε) × (total in flight + 1) / n)}
 * attempts or more (n eligible agents, the task being placed counted), so no agent takes a task that
 * would put it above that bound. Without it, a key's agent is returned even when it is full, and the
 * runtime then pins the task to it (affinity, bounded by the runtime's {@code affinityWait}).
 */
final class ConsistentHashSelector extends BaseSelector {
  /** Agents not eligible for this many eligible-list changes are dropped from the ring. */
  private static final int PRUNE_AGE = 1024;

  private final int virtualNodes;
  /** NaN when load is not bounded. */
  private final double epsilon;
  private final AgentSelector keyless;

  // The agents on the ring ("registry"): index -> id, weight, last list generation it was eligible in.
  private final Map<String, Integer> indexById = new HashMap<>();
  private String[] ids = new String[0];
  private int[] weights = new int[0];
  private int[] seen = new int[0];

  // The ring: points in ascending order (ties by agent id), and the registry index owning each.
  private long[] points = new long[0];
  private int[] owners = new int[0];

  // The last eligible list, and its agents by registry index (null: not eligible).
  private @Nullable List<AgentView> list;
  private @Nullable AgentView[] viewOf = new AgentView[0];
  private int generation;
  private int[] visited = new int[0];
  private int visit;

  ConsistentHashSelector(ConsistentHashConfig config) {
    this.virtualNodes = config.virtualNodes();
    this.epsilon = config.boundedLoad().isPresent() ? config.boundedLoad().getAsDouble() : Double.NaN;
    this.keyless = config.keylessSelector().get();
  }

  @Override
  void bound(Scheduler clock) {
    keyless.bind(clock);
  }

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    String key = task.task().key().orElse(null);
    if (key == null) {
      return keyless.select(task, eligible);
    }
    align(eligible);
    int start = lowerBound(Hashing.hash(key));
    if (Double.isNaN(epsilon)) {
      int n = points.length;
      for (int step = 0; step < n; step++) {
        int j = start + step < n ? start + step : start + step - n;
        AgentView agent = viewOf[owners[j]];
        if (agent != null) {
          return agent;
        }
      }
      return eligible.get(0); // unreachable: every eligible agent has points on the ring
    }
    return bounded(task, eligible, start);
  }

  private AgentView bounded(QueuedTask task, List<AgentView> eligible, int start) {
    int m = eligible.size();
    long total = 0;
    for (int i = 0; i < m; i++) {
      total += eligible.get(i).inFlight();
    }
    long bound = (long) Math.ceil((1 + epsilon) * (total + 1) / m);
    if (++visit == 0) {
      Arrays.fill(visited, 0);
      visit = 1;
    }
    AgentView pin = null;
    int distinct = 0;
    int n = points.length;
    for (int step = 0; step < n && distinct < m; step++) {
      int j = start + step < n ? start + step : start + step - n;
      int owner = owners[j];
      AgentView agent = viewOf[owner];
      if (agent == null || visited[owner] == visit) {
        continue;
      }
      visited[owner] = visit;
      distinct++;
      if (agent.inFlight() < bound) {
        if (agent.hasRoomFor(task)) {
          return agent;
        }
        if (pin == null) {
          pin = agent; // full but under the bound: wait for it rather than exceed the bound elsewhere
        }
      }
    }
    return pin != null ? pin : Loads.firstWithRoom(eligible, task);
  }

  @Override
  public void attemptEnded(String agentId, long nanos, boolean succeeded) {
    keyless.attemptEnded(agentId, nanos, succeeded);
  }

  /** The index of the first point at or after {@code hash}; {@code points.length} wraps to 0. */
  private int lowerBound(long hash) {
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (points[mid] < hash) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ------------------------------------------------------------------ ring maintenance

  /** Makes the ring and the per-list view match {@code eligible}; nothing to do for the same list. */
  private void align(List<AgentView> eligible) {
    if (eligible == list) {
      return;
    }
    generation++;
    List<AgentView> joining = new ArrayList<>();
    boolean[] drop = null;
    for (int i = 0, n = eligible.size(); i < n; i++) {
      AgentView agent = eligible.get(i);
      Integer index = indexById.get(agent.id());
      if (index == null) {
        joining.add(agent);
      } else if (weights[index] != agent.agent().weight()) {
        if (drop == null) {
          drop = new boolean[ids.length];
        }
        drop[index] = true; // same id, new weight: re-placed with its new number of points
        joining.add(agent);
      } else {
        seen[index] = generation;
      }
    }
    if (generation % PRUNE_AGE == 0) {
      for (int i = 0; i < ids.length; i++) {
        if (generation - seen[i] > PRUNE_AGE) {
          if (drop == null) {
            drop = new boolean[ids.length];
          }
          drop[i] = true;
        }
      }
    }
    if (drop != null) {
      remove(drop);
    }
    if (!joining.isEmpty()) {
      add(joining);
    }
    @Nullable AgentView[] views = new AgentView[ids.length];
    for (int i = 0, n = eligible.size(); i < n; i++) {
      AgentView agent = eligible.get(i);
      views[indexById.get(agent.id())] = agent;
    }
    viewOf = views;
    if (visited.length < ids.length) {
      visited = new int[ids.length];
      visit = 0;
    }
    list = eligible;
  }

  /** Drops the marked agents from the registry and their points from the ring, in O(ring). */
  private void remove(boolean[] drop) {
    int[] remap = new int[ids.length];
    int kept = 0;
    for (int i = 0; i < ids.length; i++) {
      if (drop[i]) {
        remap[i] = -1;
        indexById.remove(ids[i]);
      } else {
        remap[i] = kept;
        ids[kept] = ids[i];
        weights[kept] = weights[i];
        seen[kept] = seen[i];
        indexById.put(ids[kept], kept);
        kept++;
      }
    }
    ids = Arrays.copyOf(ids, kept);
    weights = Arrays.copyOf(weights, kept);
    seen = Arrays.copyOf(seen, kept);
    int size = 0;
    for (int j = 0; j < points.length; j++) {
      int owner = remap[owners[j]];
      if (owner >= 0) {
        points[size] = points[j];
        owners[size] = owner;
        size++;
      }
    }
    points = Arrays.copyOf(points, size);
    owners = Arrays.copyOf(owners, size);
  }

  /** Registers the joining agents and merges their points into the ring. */
  private void add(List<AgentView> joining) {
    int base = ids.length;
    int count = base + joining.size();
    ids = Arrays.copyOf(ids, count);
    weights = Arrays.copyOf(weights, count);
    seen = Arrays.copyOf(seen, count);
    long newPoints = 0;
    for (int k = 0; k < joining.size(); k++) {
      AgentView agent = joining.get(k);
      int index = base + k;
      ids[index] = agent.id();
      weights[index] = agent.agent().weight();
      seen[index] = generation;
      indexById.put(agent.id(), index);
      newPoints += (long) virtualNodes * weights[index];
    }
    if (points.length + newPoints > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("consistent-hash ring too large: lower virtualNodes or weights");
    }
    long[] addPoints = new long[(int) newPoints];
    int[] addOwners = new int[(int) newPoints];
    int p = 0;
    for (int k = 0; k < joining.size(); k++) {
      int index = base + k;
      long agentHash = Hashing.hash(ids[index]);
      for (int v = 0, nodes = virtualNodes * weights[index]; v < nodes; v++) {
        addPoints[p] = Hashing.point(agentHash, v);
        addOwners[p] = index;
        p++;
      }
    }
    sort(addPoints, addOwners);
    merge(addPoints, addOwners);
  }

  private int compare(long pointA, int ownerA, long pointB, int ownerB) {
    int c = Long.compare(pointA, pointB);
    return c != 0 ? c : ids[ownerA].compareTo(ids[ownerB]);
  }

  private void merge(long[] addPoints, int[] addOwners) {
    int a = points.length;
    int b = addPoints.length;
    long[] mergedPoints = new long[a + b];
    int[] mergedOwners = new int[a + b];
    int i = 0;
    int j = 0;
    for (int k = 0; k < a + b; k++) {
      if (j >= b || (i < a && compare(points[i], owners[i], addPoints[j], addOwners[j]) <= 0)) {
        mergedPoints[k] = points[i];
        mergedOwners[k] = owners[i++];
      } else {
        mergedPoints[k] = addPoints[j];
        mergedOwners[k] = addOwners[j++];
      }
    }
    points = mergedPoints;
    owners = mergedOwners;
  }

  /** Sorts the points, carrying their owners: a bottom-up merge sort on the two parallel arrays. */
  private void sort(long[] p, int[] o) {
    int n = p.length;
    long[] p2 = new long[n];
    int[] o2 = new int[n];
    long[] srcP = p;
    int[] srcO = o;
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
          if (j >= hi || (i < mid && compare(srcP[i], srcO[i], srcP[j], srcO[j]) <= 0)) {
            p2[k] = srcP[i];
            o2[k] = srcO[i++];
          } else {
            p2[k] = srcP[j];
            o2[k] = srcO[j++];
          }
        }
      }
      long[] tp = srcP;
      srcP = p2;
      p2 = tp;
      int[] to = srcO;
      srcO = o2;
      o2 = to;
    }
    if (srcP != p) {
      System.arraycopy(srcP, 0, p, 0, n);
      System.arraycopy(srcO, 0, o, 0, n);
    }
  }

  @Override
  public String toString() {
    return "Selectors.consistentHash(virtualNodes=" + virtualNodes
        + (Double.isNaN(epsilon) ? "" : ", boundedLoad=" + epsilon) + ")";
  }
}
