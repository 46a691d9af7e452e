package io.agentry.core;

import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** The runtime state of one registered agent. Every field is guarded by the dispatch lock. */
final class AgentSlot implements AgentView {
  final Agent agent;
  final @Nullable AgentBackend backend;
  AgentState state = AgentState.UP;
  boolean registered = true;
  int inFlight;
  long succeeded;
  long failed;
  /** Free amount per resource; null when the agent offers none. */
  final @Nullable Map<String, Double> free;
  /** Tasks waiting for this agent by affinity. */
  @Nullable ArrayDeque<TaskRun<?>> pinned;
  /**
   * Attempts placed here and not yet returned, unordered; each knows its index
   * ({@link AttemptRun#slotIndex}). An array, not a linked list: taking one out touches only the
   * last one placed, which the placing thread has in its cache, where unlinking wrote to the
   * neighbours, placed long before and run by other threads.
   */
  private AttemptRun[] attempts = new AttemptRun[8];
  private int attemptCount;
  @Nullable CompletableFuture<Void> drained;

  AgentSlot(Agent agent) {
    this.agent = agent;
    this.backend = agent.rawBackend();
    this.free = agent.resources().isEmpty() ? null : new HashMap<>(agent.resources());
  }

  @Override
  public String id() {
    return agent.id();
  }

  @Override
  public Agent agent() {
    return agent;
  }

  @Override
  public AgentState state() {
    return state;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  int room() {
    return agent.capacity() - inFlight;
  }

  /** Static eligibility: tags and resource totals, whatever the load. */
  boolean canEverRun(Task<?> task) {
    if (backend != null && !backend.canRun(task)) {
      return false;
    }
    if (!task.requiredTags().isEmpty() && !agent.tags().containsAll(task.requiredTags())) {
      return false;
    }
    Map<String, Double> needs = task.resources();
    if (needs.isEmpty()) {
      return true; // no entry set and iterator made, under the dispatch lock, for most tasks
    }
    for (Map.Entry<String, Double> need : needs.entrySet()) {
      Double total = agent.resources().get(need.getKey());
      if (total == null || total < need.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean hasRoomFor(QueuedTask task) {
    if (inFlight >= agent.capacity()) {
      return false;
    }
    Map<String, Double> needs = task.task().resources();
    if (needs.isEmpty()) {
      return true;
    }
    if (free == null) {
      return false;
    }
    for (Map.Entry<String, Double> need : needs.entrySet()) {
      Double available = free.get(need.getKey());
      if (available == null || available < need.getValue()) {
        return false;
      }
    }
    return true;
  }

  void take(Task<?> task) {
    inFlight++;
    if (free != null) {
      task.resources().forEach((name, amount) -> free.merge(name, -amount, Double::sum));
    }
  }

  void give(Task<?> task) {
    inFlight--;
    if (free != null) {
      task.resources().forEach((name, amount) -> free.merge(name, amount, Double::sum));
    }
  }

  /** Adds a placed attempt; under the dispatch lock. */
  void link(AttemptRun attempt) {
    AttemptRun[] all = attempts;
    if (attemptCount == all.length) {
      all = java.util.Arrays.copyOf(all, all.length * 2);
      attempts = all;
    }
    attempt.slotIndex = attemptCount;
    all[attemptCount++] = attempt;
  }

  /** Removes an attempt that returned, moving the last one into its place; under the lock. */
  void unlink(AttemptRun attempt) {
    int i = attempt.slotIndex;
    if (i < 0) {
      return;
    }
    int last = --attemptCount;
    AttemptRun moved = attempts[last];
    attempts[i] = moved;
    moved.slotIndex = i;
    attempts[last] = null;
    attempt.slotIndex = -1;
  }

  /** A copy of the attempts placed here and not yet returned; under the lock. */
  AttemptRun[] running() {
    return java.util.Arrays.copyOf(attempts, attemptCount);
  }

  @Override
  public String toString() {
    return "AgentSlot[" + agent.id() + ", " + state + ", inFlight=" + inFlight + "]";
  }
}
