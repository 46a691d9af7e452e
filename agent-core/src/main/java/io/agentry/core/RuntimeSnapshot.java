package io.agentry.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of a runtime at one instant: its agents and its counts.
 *
 * @param runtime the runtime's name
 * @param at when the snapshot was taken
 * @param queued tasks waiting for an agent (in the queue or held for an agent by affinity)
 * @param running tasks with an attempt running
 * @param waitingToRetry tasks waiting for a retry backoff to pass
 * @param submitted tasks accepted since the start
 * @param rejected submissions refused since the start
 * @param succeeded tasks ended {@link TaskState#SUCCEEDED}
 * @param failed tasks ended {@link TaskState#FAILED}
 * @param cancelled tasks ended {@link TaskState#CANCELLED}
 * @param timedOut tasks ended {@link TaskState#TIMED_OUT}
 * @param agents one entry per registered agent, in registration order
 */
public record RuntimeSnapshot(
    String runtime, Instant at, int queued, int running, int waitingToRetry, long submitted,
    long rejected, long succeeded, long failed, long cancelled, long timedOut,
    List<AgentSnapshot> agents) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public RuntimeSnapshot {
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(at, "at");
    agents = List.copyOf(agents);
  }

  /**
   * Returns the number of tasks that have ended, whatever the outcome.
   *
   * @return succeeded + failed + cancelled + timed out
   */
  public long completed() {
    return succeeded + failed + cancelled + timedOut;
  }

  /**
   * Finds an agent's entry.
   *
   * @param agentId the agent id
   * @return the entry, or empty if no such agent is registered
   */
  public Optional<AgentSnapshot> agent(String agentId) {
    return agents.stream().filter(a -> a.id().equals(agentId)).findFirst();
  }

  /**
   * One agent in a {@link RuntimeSnapshot}.
   *
   * @param id the agent id
   * @param state its state
   * @param capacity its slots
   * @param inFlight attempts running now
   * @param succeeded attempts it ran that returned a result
   * @param failed attempts it ran that failed, timed out or were cancelled
   * @param local whether it runs attempts in this JVM
   */
  public record AgentSnapshot(
      String id, AgentState state, int capacity, int inFlight, long succeeded, long failed,
      boolean local) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public AgentSnapshot {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
    }
  }
}
