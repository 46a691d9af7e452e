package io.agentry.metrics.event;

import java.time.Instant;

/**
 * An agent failed as many checks in a row as the monitor's failure threshold.
 *
 * @param at when
 * @param runtime the runtime name
 * @param agentId the agent
 * @param consecutiveFailures the failed checks in a row
 * @param message the message of the last failed check
 * @param markedDown whether the monitor marked the agent down (it does so only to an agent that was
 *     up; a draining or already down agent is left as it is)
 */
public record AgentUnhealthy(
    Instant at, String runtime, String agentId, int consecutiveFailures, String message,
    boolean markedDown) implements HealthEvent {}
