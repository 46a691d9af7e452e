package io.agentry.core.event;

import java.time.Instant;

/**
 * An agent was removed; its running attempts were given up with
 * {@link io.agentry.core.AgentLostException}.
 *
 * @param at when
 * @param runtime the runtime name
 * @param agentId the agent
 * @param lostAttempts how many attempts were running on it
 */
public record AgentRemoved(Instant at, String runtime, String agentId, int lostAttempts)
    implements RuntimeEvent {}
