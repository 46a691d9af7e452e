package io.agentry.core.event;

import java.time.Duration;
import java.time.Instant;

/**
 * The policy decided to retry a task.
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 * @param nextAttempt the number of the coming attempt
 * @param delay the wait before the task re-enters the queue
 * @param failedAgentId the agent of the attempt that failed
 */
public record TaskRetryScheduled(
    Instant at, String runtime, String taskId, String taskName, int nextAttempt, Duration delay,
    String failedAgentId) implements RuntimeEvent {}
