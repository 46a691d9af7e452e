package io.agentry.resilience;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A task would have been retried, but its backoff would end at or after the task's deadline, when
 * the runtime ends the task anyway; so the task fails at once instead of waiting for nothing. It
 * holds what the last attempt gave (a failure as the cause, or a rejected result).
 */
public final class RetryPastDeadlineException extends RetryStoppedException {
  private static final long serialVersionUID = 1L;

  /** The deadline the retry would have missed. */
  private final Duration deadline;

  RetryPastDeadlineException(Duration deadline, Duration elapsed, Duration delay, int attempts,
      boolean resultRejected, @Nullable Object lastResult, @Nullable Throwable lastFailure) {
    super("retry not scheduled: after attempt " + attempts + ", " + elapsed
        + " after submission, its backoff of " + delay + " would end at or after the task's deadline"
        + " of " + deadline + "; " + lastOutcome(resultRejected, lastResult, lastFailure),
        attempts, resultRejected, lastResult, lastFailure);
    this.deadline = deadline;
  }

  /**
   * Returns the task's deadline, counted from submission.
   *
   * @return the deadline
   */
  public Duration deadline() {
    return deadline;
  }
}
