package io.agentry.core.spi;

import io.agentry.core.event.AttemptEnded;
import org.jspecify.annotations.Nullable;

/**
 * Decides, agent by agent, whether an agent may take an attempt now: the seam for per-agent circuit
 * breaking (outlier ejection), rate limits and the like. An agent a guard does not admit is not
 * eligible: tasks go to other agents or wait. Register guards with the runtime builder's
 * {@code guard(...)}; an agent must be admitted by every guard.
 *
 * <p>{@link #admits} and {@link #attemptStarted} are called under the runtime's dispatch lock, one
 * call at a time; they must be fast and never block. {@link #attemptEnded} is called outside the
 * lock, from any thread, so the state it touches must be thread-safe.
 */
public interface AgentGuard {

  /**
   * Called once when the runtime is built, before any other call.
   *
   * @param clock the runtime's scheduler, for time and timers
   * @param wakeUp call it when an agent may have become admissible again (for example, a circuit
   *     turned half-open), so the runtime places waiting tasks; it must not be called under a lock
   *     the guard's other methods take
   */
  default void bind(Scheduler clock, Runnable wakeUp) {}

  /**
   * Tells whether an agent may take an attempt now. Called under the dispatch lock.
   *
   * @param agent the agent
   * @return {@code false} to make the agent ineligible for now
   */
  boolean admits(AgentView agent);

  /**
   * Told that an attempt starts on an admitted agent (for example, to use up a half-open probe).
   * Called under the dispatch lock.
   *
   * @param agent the agent
   */
  default void attemptStarted(AgentView agent) {}

  /**
   * Told how an attempt ended, as soon as the runtime decided it (on time, even when the work is
   * still running after a timeout). Called outside the dispatch lock.
   *
   * @param agentId the agent that ran it
   * @param status how it ended; {@code CANCELLED} says nothing about the agent's health
   * @param nanos how long it ran until it was decided
   */
  default void attemptEnded(String agentId, AttemptEnded.Status status, long nanos) {}

  /**
   * Told how an attempt ended, with its failure, so a guard can tell the agent's faults from the
   * task's (bad input). The runtime calls this one; the default forwards to
   * {@link #attemptEnded(String, AttemptEnded.Status, long)}. Called outside the dispatch lock.
   *
   * @param agentId the agent that ran it
   * @param status how it ended
   * @param nanos how long it ran until it was decided
   * @param failure the failure, or null when it succeeded
   */
  default void attemptEnded(String agentId, AttemptEnded.Status status, long nanos,
      @Nullable Throwable failure) {
    attemptEnded(agentId, status, nanos);
  }

  /**
   * Told that an agent was removed from the runtime, so per-agent state can be dropped. Called
   * outside the dispatch lock. The default does nothing.
   *
   * @param agentId the agent
   */
  default void agentRemoved(String agentId) {}
}
