package io.agentry.resilience;

import org.jspecify.annotations.Nullable;

/**
 * A task would have been retried, but the runtime's {@link RetryBudget} refused the retry: too many
 * retries and hedges ran lately compared with the attempts. The task fails at once, holding what its
 * last attempt gave (a failure as the cause, or a rejected result).
 */
public final class RetryBudgetExhaustedException extends RetryStoppedException {
  private static final long serialVersionUID = 1L;

  RetryBudgetExhaustedException(String budgetState, int attempts, boolean resultRejected,
      @Nullable Object lastResult, @Nullable Throwable lastFailure) {
    super("retry budget exhausted: retry refused after attempt " + attempts + " (" + budgetState
        + "); " + lastOutcome(resultRejected, lastResult, lastFailure),
        attempts, resultRejected, lastResult, lastFailure);
  }
}
