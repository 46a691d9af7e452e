package io.agentry.core.spi;

import io.agentry.core.Task;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one attempt ended, given to {@link ExecutionPolicy#afterAttempt(AttemptReport)}.
 *
 * @param task the task
 * @param taskId the id of this submission
 * @param attempt the number of the attempt that ended, starting at 1
 * @param agentId the agent that ran it
 * @param result the result when the attempt succeeded
 * @param failure the failure when it did not: what the work threw, a
 *     {@link io.agentry.core.TaskTimeoutException} for an attempt or heartbeat timeout, or an
 *     {@link io.agentry.core.AgentLostException} when its agent went away
 * @param agentsTried the agents of every attempt so far, in order
 * @param elapsed the time since submission
 * @param attemptDuration how long this attempt ran, from its start until it ended or was decided
 * @param othersRunning how many other attempts of the task (hedges) still run; while any does,
 *     only accepting a success decides the task, and any other decision is ignored
 */
public record AttemptReport(
    Task<?> task, String taskId, int attempt, String agentId, @Nullable Object result,
    @Nullable Throwable failure, List<String> agentsTried, Duration elapsed,
    Duration attemptDuration, int othersRunning) {

  /**
   * Creates a report of an attempt with no other attempt running.
   *
   * @param task the task
   * @param taskId the id of this submission
   * @param attempt the number of the attempt that ended
   * @param agentId the agent that ran it
   * @param result the result when it succeeded
   * @param failure the failure when it did not
   * @param agentsTried the agents of every attempt so far
   * @param elapsed the time since submission
   * @param attemptDuration how long this attempt ran
   */
  public AttemptReport(Task<?> task, String taskId, int attempt, String agentId,
      @Nullable Object result, @Nullable Throwable failure, List<String> agentsTried,
      Duration elapsed, Duration attemptDuration) {
    this(task, taskId, attempt, agentId, result, failure, agentsTried, elapsed, attemptDuration, 0);
  }

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a required component is null
   */
  public AttemptReport {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(agentId, "agentId");
    agentsTried = List.copyOf(agentsTried);
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(attemptDuration, "attemptDuration");
  }

  /**
   * Tells whether the attempt returned a result.
   *
   * @return {@code true} when {@link #failure()} is null
   */
  public boolean succeeded() {
    return failure == null;
  }
}
