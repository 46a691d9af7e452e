package io.agentry.core;

/** The state of an agent in a runtime. */
public enum AgentState {
  /** Takes new attempts. */
  UP,
  /** Finishes the attempts it has and takes no new ones. */
  DRAINING,
  /** Takes no new attempts (marked down by a health check, or its member is gone). */
  DOWN
}
