package io.agentry.metrics.event;

import java.time.Instant;

/**
 * An unhealthy agent passed as many checks in a row as the monitor's success threshold.
 *
 * @param at when
 * @param runtime the runtime name
 * @param agentId the agent
 * @param consecutiveSuccesses the passed checks in a row
 * @param markedUp whether the monitor marked the agent up (it does so only to an agent it marked down
 *     itself and that is still down)
 */
public record AgentHealthy(
    Instant at, String runtime, String agentId, int consecutiveSuccesses, boolean markedUp)
    implements HealthEvent {}
