package io.agentry.metrics;

import io.agentry.core.AgentRuntime;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.RuntimeSnapshot.AgentSnapshot;
import io.micrometer.core.instrument.Clock;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Shares one runtime snapshot among the gauges read within {@code maxAgeNanos}, so that a scrape of
 * many per-agent gauges takes the runtime's lock once rather than once per gauge, and every gauge of
 * one scrape sees the same instant. Thread-safe: two readers may both take a snapshot when the last
 * one has aged; either result is fine.
 */
final class SnapshotCache {
  private final AgentRuntime runtime;
  private final Clock clock;
  private final long maxAgeNanos;
  private volatile @Nullable Entry last;

  SnapshotCache(AgentRuntime runtime, Clock clock, long maxAgeNanos) {
    this.runtime = runtime;
    this.clock = clock;
    this.maxAgeNanos = maxAgeNanos;
  }

  RuntimeSnapshot get() {
    return entry().snapshot;
  }

  /** Returns an agent's entry, or null once the agent is gone (its gauges then read NaN). */
  @Nullable AgentSnapshot agent(String agentId) {
    return entry().agents.get(agentId);
  }

  private Entry entry() {
    long now = clock.monotonicTime();
    Entry e = last;
    if (e == null || maxAgeNanos == 0 || now - e.takenNanos >= maxAgeNanos) {
      RuntimeSnapshot snapshot = runtime.snapshot();
      Map<String, AgentSnapshot> byId = new HashMap<>(snapshot.agents().size() * 2);
      for (AgentSnapshot a : snapshot.agents()) {
        byId.put(a.id(), a);
      }
      e = new Entry(snapshot, byId, now);
      last = e;
    }
    return e;
  }

  private record Entry(RuntimeSnapshot snapshot, Map<String, AgentSnapshot> agents, long takenNanos) {}
}
