package io.agentry.core.event;

import io.agentry.core.Agent;
import java.time.Instant;

/**
 * An agent was registered (at build time or while running).
 *
 * @param at when
 * @param runtime the runtime name
 * @param agent the agent's description
 */
public record AgentAdded(Instant at, String runtime, Agent agent) implements RuntimeEvent {}
