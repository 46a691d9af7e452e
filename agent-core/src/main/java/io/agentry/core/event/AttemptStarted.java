package io.agentry.core.event;

import java.time.Duration;
import java.time.Instant;

/**
 * An attempt started on an agent.
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 * @param attempt the attempt number, from 1
 * @param agentId the agent
 * @param queueWait how long the task waited in the queue for this attempt
 */
public record AttemptStarted(
    Instant at, String runtime, String taskId, String taskName, int attempt, String agentId,
    Duration queueWait) implements RuntimeEvent {}
