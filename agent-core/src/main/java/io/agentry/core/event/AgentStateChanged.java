package io.agentry.core.event;

import io.agentry.core.AgentState;
import java.time.Instant;

/**
 * An agent changed state.
 *
 * @param at when
 * @param runtime the runtime name
 * @param agentId the agent
 * @param from the previous state
 * @param to the new state
 */
public record AgentStateChanged(
    Instant at, String runtime, String agentId, AgentState from, AgentState to)
    implements RuntimeEvent {}
