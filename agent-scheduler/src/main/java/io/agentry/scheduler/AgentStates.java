package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Per-agent state of a selector, kept by agent id, with an array aligned to the last eligible list.
 * The runtime passes the same (immutable) list instance while its agents do not change, so the
 * aligned array is rebuilt only when membership changes, and the hot path does no hashing. States of
 * agents that left are dropped once they are many, so elastic scaling does not grow the map forever.
 *
 * @param <S> the state type
 */
final class AgentStates<S> {
  private final Supplier<S> create;
  private final Map<String, S> byId = new HashMap<>();
  private @Nullable List<AgentView> list;
  private Object[] aligned = new Object[0];

  AgentStates(Supplier<S> create) {
    this.create = create;
  }

  /** Returns the states aligned with {@code eligible}: element i belongs to {@code eligible.get(i)}. */
  Object[] align(List<AgentView> eligible) {
    if (eligible == list) {
      return aligned;
    }
    int n = eligible.size();
    Object[] states = new Object[n];
    for (int i = 0; i < n; i++) {
      states[i] = byId.computeIfAbsent(eligible.get(i).id(), id -> create.get());
    }
    if (byId.size() > 4 * n + 64) {
      Map<Object, Boolean> live = new IdentityHashMap<>();
      for (Object s : states) {
        live.put(s, Boolean.TRUE);
      }
      byId.values().removeIf(s -> !live.containsKey(s));
    }
    list = eligible;
    aligned = states;
    return states;
  }
}
