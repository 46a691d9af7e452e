package io.agentry.resilience;

import java.time.Instant;
import java.util.Objects;

/**
 * An agent's circuit changed state; see {@link CircuitBreakers#onStateChange}.
 *
 * @param at when, on the runtime's clock
 * @param agentId the agent
 * @param from the state before
 * @param to the state after
 * @param reason why, for logs (for example "5 consecutive failures")
 */
public record CircuitStateChanged(Instant at, String agentId, CircuitState from, CircuitState to,
    String reason) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public CircuitStateChanged {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
  }
}
