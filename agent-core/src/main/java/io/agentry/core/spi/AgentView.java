package io.agentry.core.spi;

import io.agentry.core.Agent;
import io.agentry.core.AgentState;

/**
 * What an {@link AgentSelector} sees of an agent: its description and its live load. Valid only during
 * the call it is passed to; the runtime implements it.
 */
public interface AgentView {

  /**
   * Returns the agent's id.
   *
   * @return the id
   */
  String id();

  /**
   * Returns the agent's description (capacity, tags, resources, weight).
   *
   * @return the description
   */
  Agent agent();

  /**
   * Returns the agent's state.
   *
   * @return the state
   */
  AgentState state();

  /**
   * Returns how many attempts the agent is running now (slots taken).
   *
   * @return the in-flight count, between 0 and the capacity
   */
  int inFlight();

  /**
   * Tells whether the agent could start an attempt of this task now: a slot is free and enough of
   * every resource the task declares.
   *
   * @param task the waiting task
   * @return {@code true} if the task could start on this agent now
   */
  boolean hasRoomFor(QueuedTask task);
}
