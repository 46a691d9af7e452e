package io.agentry.core.event;

import java.time.Instant;

/**
 * A submission was not accepted (queue full, runtime closed, duplicate id); it has no task id.
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskName the task name
 * @param reason why it was rejected
 */
public record TaskRejected(Instant at, String runtime, String taskName, String reason)
    implements RuntimeEvent {}
