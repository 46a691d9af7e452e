package io.agentry.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The four timeouts of a task, each named after what it bounds. Immutable; build variants with the
 * {@code withX} methods starting from {@link #none()}.
 *
 * <ul>
 *   <li>{@code queueTimeout}: submission to the start of the first attempt;
 *   <li>{@code attemptTimeout}: one attempt, from its start;
 *   <li>{@code deadline}: submission to the final outcome, retries and backoff included;
 *   <li>{@code heartbeatTimeout}: the longest silence between {@link TaskContext#heartbeat()} calls.
 * </ul>
 *
 * <p>Order of resolution: a timeout the task sets wins; an unset one comes from the
 * {@link io.agentry.core.spi.ExecutionPolicy#timeouts(Task) policy}; unset in both means none. The
 * deadline always wins over the others: when it passes, the task ends as timed out whatever it is
 * doing.
 */
public final class TaskTimeouts {
  private static final TaskTimeouts NONE = new TaskTimeouts(null, null, null, null);

  private final @Nullable Duration queueTimeout;
  private final @Nullable Duration attemptTimeout;
  private final @Nullable Duration deadline;
  private final @Nullable Duration heartbeatTimeout;

  private TaskTimeouts(
      @Nullable Duration queueTimeout,
      @Nullable Duration attemptTimeout,
      @Nullable Duration deadline,
      @Nullable Duration heartbeatTimeout) {
    this.queueTimeout = queueTimeout;
    this.attemptTimeout = attemptTimeout;
    this.deadline = deadline;
    this.heartbeatTimeout = heartbeatTimeout;
  }

  /**
   * Returns timeouts with none set.
   *
   * @return the empty timeouts
   */
  public static TaskTimeouts none() {
    return NONE;
  }

  /**
   * Returns a copy with the queue timeout set.
   *
   * @param timeout a positive duration
   * @return the copy
   * @throws IllegalArgumentException if not positive
   */
  public TaskTimeouts withQueueTimeout(Duration timeout) {
    return new TaskTimeouts(
        Checks.positive(timeout, "queueTimeout"), attemptTimeout, deadline, heartbeatTimeout);
  }

  /**
   * Returns a copy with the attempt timeout set.
   *
   * @param timeout a positive duration
   * @return the copy
   * @throws IllegalArgumentException if not positive
   */
  public TaskTimeouts withAttemptTimeout(Duration timeout) {
    return new TaskTimeouts(
        queueTimeout, Checks.positive(timeout, "attemptTimeout"), deadline, heartbeatTimeout);
  }

  /**
   * Returns a copy with the deadline set.
   *
   * @param timeout a positive duration, counted from submission
   * @return the copy
   * @throws IllegalArgumentException if not positive
   */
  public TaskTimeouts withDeadline(Duration timeout) {
    return new TaskTimeouts(
        queueTimeout, attemptTimeout, Checks.positive(timeout, "deadline"), heartbeatTimeout);
  }

  /**
   * Returns a copy with the heartbeat timeout set.
   *
   * @param timeout a positive duration
   * @return the copy
   * @throws IllegalArgumentException if not positive
   */
  public TaskTimeouts withHeartbeatTimeout(Duration timeout) {
    return new TaskTimeouts(
        queueTimeout, attemptTimeout, deadline, Checks.positive(timeout, "heartbeatTimeout"));
  }

  /**
   * Returns these timeouts with each unset one taken from {@code fallback}.
   *
   * @param fallback where unset timeouts come from
   * @return the merged timeouts
   */
  public TaskTimeouts orElse(TaskTimeouts fallback) {
    Objects.requireNonNull(fallback, "fallback");
    if (fallback == NONE) {
      return this;
    }
    return new TaskTimeouts(
        queueTimeout != null ? queueTimeout : fallback.queueTimeout,
        attemptTimeout != null ? attemptTimeout : fallback.attemptTimeout,
        deadline != null ? deadline : fallback.deadline,
        heartbeatTimeout != null ? heartbeatTimeout : fallback.heartbeatTimeout);
  }

  /**
   * Returns the queue timeout.
   *
   * @return the timeout, or empty when none
   */
  public Optional<Duration> queueTimeout() {
    return Optional.ofNullable(queueTimeout);
  }

  /**
   * Returns the attempt timeout.
   *
   * @return the timeout, or empty when none
   */
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  /**
   * Returns the deadline, counted from submission.
   *
   * @return the deadline, or empty when none
   */
  public Optional<Duration> deadline() {
    return Optional.ofNullable(deadline);
  }

  /**
   * Returns the heartbeat timeout.
   *
   * @return the timeout, or empty when none
   */
  public Optional<Duration> heartbeatTimeout() {
    return Optional.ofNullable(heartbeatTimeout);
  }

  boolean isNone() {
    return queueTimeout == null && attemptTimeout == null && deadline == null
        && heartbeatTimeout == null;
  }

  @Nullable Duration rawQueueTimeout() {
    return queueTimeout;
  }

  @Nullable Duration rawAttemptTimeout() {
    return attemptTimeout;
  }

  @Nullable Duration rawDeadline() {
    return deadline;
  }

  @Nullable Duration rawHeartbeatTimeout() {
    return heartbeatTimeout;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskTimeouts t
        && Objects.equals(queueTimeout, t.queueTimeout)
        && Objects.equals(attemptTimeout, t.attemptTimeout)
        && Objects.equals(deadline, t.deadline)
        && Objects.equals(heartbeatTimeout, t.heartbeatTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(queueTimeout, attemptTimeout, deadline, heartbeatTimeout);
  }

  @Override
  public String toString() {
    return "TaskTimeouts[queueTimeout=" + queueTimeout + ", attemptTimeout=" + attemptTimeout
        + ", deadline=" + deadline + ", heartbeatTimeout=" + heartbeatTimeout + "]";
  }
}
