package io.agentry.resilience;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A task failed because {@link ResiliencePolicy} stopped retrying it before it succeeded. The
 * subclass says why: {@link RetriesExhaustedException} (no attempts left after a rejected result),
 * {@link RetryBudgetExhaustedException} (the runtime's retry budget refused the retry) or
 * {@link RetryPastDeadlineException} (the retry could not start before the task's deadline).
 *
 * <p>It holds what the last attempt gave: a failure as the {@linkplain #getCause() cause}, or a
 * result the policy rejected as {@link #lastResult()}.
 */
public abstract sealed class RetryStoppedException extends RuntimeException
    permits RetriesExhaustedException, RetryBudgetExhaustedException, RetryPastDeadlineException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_SHOWN = 200;

  /** How many attempts ran. */
  private final int attempts;
  /** Whether the last attempt returned a (rejected) result rather than failing. */
  private final boolean resultRejected;
  /** The rejected result; not serialized, since results need not be serializable. */
  private final transient @Nullable Object lastResult;

  RetryStoppedException(String message, int attempts, boolean resultRejected,
      @Nullable Object lastResult, @Nullable Throwable lastFailure) {
    super(message, lastFailure);
    this.attempts = attempts;
    this.resultRejected = resultRejected;
    this.lastResult = lastResult;
  }

  /**
   * Returns how many attempts of the task ran.
   *
   * @return the number of attempts, at least 1
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Tells whether the last attempt returned a result that the policy rejected (its
   * {@code retryIfResult} predicate matched), rather than failing.
   *
   * @return {@code true} when {@link #lastResult()} is what the last attempt returned
   */
  public boolean isResultRejected() {
    return resultRejected;
  }

  /**
   * Returns the result the last attempt returned and the policy rejected. Meaningful only when
   * {@link #isResultRejected()}; lost if the exception is serialized.
   *
   * @return the rejected result, or {@code null} when the last attempt failed (or returned null)
   */
  public @Nullable Object lastResult() {
    return lastResult;
  }

  /**
   * Returns the failure of the last attempt, when it failed.
   *
   * @return the failure (the {@linkplain #getCause() cause}), or empty when it returned a result
   */
  public Optional<Throwable> lastFailure() {
    return Optional.ofNullable(getCause());
  }

  /** Describes what the last attempt gave, for messages; a long result is cut short. */
  static String lastOutcome(boolean resultRejected, @Nullable Object result,
      @Nullable Throwable failure) {
    if (resultRejected) {
      String shown;
      try {
        shown = String.valueOf(result);
      } catch (RuntimeException e) { // a result's toString is user code
        shown = result.getClass().getName();
      }
      if (shown.length() > MAX_SHOWN) {
        shown = shown.substring(0, MAX_SHOWN) + "...";
      }
      return "its result was rejected: " + shown;
    }
    return "it failed: " + failure;
  }
}
