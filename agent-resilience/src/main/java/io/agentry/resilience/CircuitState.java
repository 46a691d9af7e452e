package io.agentry.resilience;

/** The state of one agent's circuit in {@link CircuitBreakers}. */
public enum CircuitState {
  /** The agent takes tasks; its attempts are counted. */
  CLOSED,
  /** The agent was ejected: it takes no task until its wait in the open state ends. */
  OPEN,
  /** The agent takes a few probe attempts; they close the circuit again or re-open it. */
  HALF_OPEN
}
