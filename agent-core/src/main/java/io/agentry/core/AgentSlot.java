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
  /** Running attempts, as an intrusive list through {@link AttemptRun#prevOnSlot}. */
  @Nullable AttemptRun running;
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

  void link(AttemptRun attempt) {
    attempt.prevOnSlot = null;
    attempt.nextOnSlot = running;
    if (running != null) {
      running.prevOnSlot = attempt;
    }
    running = attempt;
  }

  void unlink(AttemptRun attempt) {
    AttemptRun p = attempt.prevOnSlot;
    AttemptRun n = attempt.nextOnSlot;
    if (p == null) {
      if (running == attempt) {
        running = n;
      }
    } else {
      p.nextOnSlot = n;
    }
    if (n != null) {
      n.prevOnSlot = p;
    }
    attempt.prevOnSlot = null;
    attempt.nextOnSlot = null;
  }

  @Override
  public String toString() {
    return "AgentSlot[" + agent.id() + ", " + state + ", inFlight=" + inFlight + "]";
  }
}
