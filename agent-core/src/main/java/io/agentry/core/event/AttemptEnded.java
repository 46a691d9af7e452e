package io.agentry.core.event;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An attempt ended (or the runtime gave up on it).
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 * @param attempt the attempt number, from 1
 * @param agentId the agent
 * @param status how it ended
 * @param duration from its start to its end
 * @param failure the failure, unless it succeeded
 */
public record AttemptEnded(
    Instant at, String runtime, String taskId, String taskName, int attempt, String agentId,
    Status status, Duration duration, @Nullable Throwable failure) implements RuntimeEvent {

  /** How an attempt ended. */
  public enum Status {
    /** It returned a result. */
    SUCCEEDED,
    /** Its work threw. */
    FAILED,
    /** Its attempt or heartbeat timeout passed, or the task's deadline. */
    TIMED_OUT,
    /** The task was cancelled while it ran. */
    CANCELLED,
    /** Its agent went away. */
    LOST
  }
}
