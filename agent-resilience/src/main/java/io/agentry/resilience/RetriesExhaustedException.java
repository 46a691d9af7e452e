package io.agentry.resilience;

import org.jspecify.annotations.Nullable;

/**
 * A task's last allowed attempt returned a result that the policy's {@code retryIfResult} predicate
 * rejected, so the task fails rather than succeed with that result; {@link #lastResult()} holds it.
 *
 * <p>When the last allowed attempt <em>failed</em> instead, the task fails with that failure itself,
 * unwrapped (a timed-out attempt leaves the task timed out), as with any failure the policy does not
 * retry; the outcome's {@code attempts()} tells how many ran.
 */
public final class RetriesExhaustedException extends RetryStoppedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param attempts how many attempts ran
   * @param lastResult the rejected result of the last attempt
   */
  public RetriesExhaustedException(int attempts, @Nullable Object lastResult) {
    super("retries exhausted after " + attempts + " attempt(s): the last one's result was rejected: "
        + shown(lastResult), attempts, true, lastResult, null);
  }

  private static String shown(@Nullable Object result) {
    return lastOutcome(true, result, null).substring("its result was rejected: ".length());
  }
}
