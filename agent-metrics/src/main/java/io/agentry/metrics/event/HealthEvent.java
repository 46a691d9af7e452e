package io.agentry.metrics.event;

import java.time.Instant;

/**
 * A change of an agent's health, published by a {@code HealthMonitor} to its listeners. Events are
 * immutable values, delivered on the monitor's timer thread in the order they happened.
 */
public sealed interface HealthEvent permits AgentUnhealthy, AgentHealthy {

  /**
   * Returns when the change happened, on the monitor's scheduler.
   *
   * @return the instant
   */
  Instant at();

  /**
   * Returns the name of the runtime of the agent.
   *
   * @return the runtime name
   */
  String runtime();

  /**
   * Returns the agent whose health changed.
   *
   * @return the agent id
   */
  String agentId();
}
