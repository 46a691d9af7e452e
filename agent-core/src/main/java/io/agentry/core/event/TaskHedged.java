package io.agentry.core.event;

import java.time.Instant;

/**
 * The policy's hedging started another attempt of a task while an earlier one was still running;
 * an {@link AttemptStarted} for the same attempt follows.
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 * @param attempt the number of the hedging attempt
 * @param agentId the agent it runs on
 */
public record TaskHedged(
    Instant at, String runtime, String taskId, String taskName, int attempt, String agentId)
    implements RuntimeEvent {}
