package io.agentry.core.event;

import java.time.Instant;

/**
 * A task was accepted.
 *
 * @param at when {@code submit} was called (the event itself may be published later, when the
 *     runtime takes the task in)
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 */
public record TaskSubmitted(Instant at, String runtime, String taskId, String taskName)
    implements RuntimeEvent {}
