package io.agentry.core.event;

import io.agentry.core.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A task ended: exactly one such event per accepted task.
 *
 * @param at when
 * @param runtime the runtime name
 * @param taskId the task id
 * @param taskName the task name
 * @param state the terminal state
 * @param attempts how many attempts started
 * @param lastAgent the agent of the last attempt, or null if none started
 * @param queueWait submission to first start (the whole duration if it never started)
 * @param duration submission to the end
 * @param cause the failure, for failed and timed-out tasks
 */
public record TaskCompleted(
    Instant at, String runtime, String taskId, String taskName, TaskState state, int attempts,
    @Nullable String lastAgent, Duration queueWait, Duration duration, @Nullable Throwable cause)
    implements RuntimeEvent {

  /**
   * Returns the agent of the last attempt.
   *
   * @return the agent id, or empty if no attempt started
   */
  public Optional<String> lastAgentId() {
    return Optional.ofNullable(lastAgent);
  }
}
