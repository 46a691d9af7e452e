package io.agentry.core.spi;

import java.util.List;

/**
 * Chooses the agent for a task (the placement strategy). The default is round-robin.
 *
 * <p>The runtime calls {@link #select} when the task is startable, that is, when at least one of the
 * eligible agents {@link AgentView#hasRoomFor has room} for it. Eligible agents are UP, have every tag
 * the task requires and offer at least the amount of every resource it declares; for a retry, agents
 * that already failed the task are left out while another eligible agent has room (failover).
 *
 * <p>A selector normally returns an agent with room. It may return an eligible agent without room to
 * express affinity: the task then waits for that agent's next free slot, at most the runtime's
 * {@code affinityWait}, after which it is placed on any agent with room.
 *
 * <p>While the registered agents and their states do not change, tasks with the same required tags
 * and resources get the same list instance (unless guards are registered, or a retry leaves out the
 * agents that failed it), so a selector may cache work per list by identity. Called under the dispatch
 * lock, one call at a time: no synchronization is needed, and the method must never block.
 */
@FunctionalInterface
public interface AgentSelector {

  /**
   * Returns a new round-robin selector: the next eligible agent with room, in rotation. The
   * runtime's default.
   *
   * @return a new selector, for one runtime
   */
  static AgentSelector roundRobin() {
    return new RoundRobinSelector();
  }

  /**
   * Called once when a runtime is built with this selector, before any other call: gives the runtime's
   * clock (for example, for aging or decay). The default does nothing. An implementation may throw
   * {@link IllegalStateException} if it is bound twice, since an instance belongs to one runtime.
   *
   * @param clock the runtime's scheduler; use its {@link Scheduler#nanoTime()} for time
   */
  default void bind(Scheduler clock) {}

  /**
   * Chooses one of the eligible agents for the task.
   *
   * @param task the task to place
   * @param eligible the eligible agents, in registration order, unmodifiable; never empty, and at least
   *     one has room
   * @return one element of {@code eligible}
   */
  AgentView select(QueuedTask task, List<AgentView> eligible);

  /**
   * Told when an attempt placed by this runtime ends, so latency-aware selectors can learn. Called
   * outside the dispatch lock, from the thread that ended the attempt. The default does nothing.
   *
   * @param agentId the agent that ran the attempt
   * @param nanos how long the attempt ran
   * @param succeeded whether the attempt returned a result
   */
  default void attemptEnded(String agentId, long nanos, boolean succeeded) {}
}
