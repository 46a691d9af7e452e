package io.agentry.core;

import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The caller's view of one submitted task: its state, its outcome once it has ended, and a way to
 * wait for or cancel it. Every handle completes exactly once. Thread-safe; the runtime implements it.
 *
 * @param <T> the result type
 */
public interface TaskHandle<T extends @Nullable Object> {

  /**
   * Returns the task's id.
   *
   * @return the id
   */
  String id();

  /**
   * Returns the task's current state.
   *
   * @return the state; terminal once the task has ended
   */
  TaskState state();

  /**
   * Returns the outcome if the task has ended.
   *
   * @return the outcome, or empty while the task is queued, running or waiting to retry
   */
  Optional<TaskOutcome<T>> outcome();

  /**
   * Returns a future completed with the result, or exceptionally with a {@link TaskFailedException}
   * (failed or timed out; its cause is the original failure) or a {@link CancellationException}.
   * Cancelling the returned future cancels the task. Completing it yourself (for example through
   * {@code orTimeout}) completes only the future, not the task: {@link #outcome()} stays the truth.
   * {@code obtrude} calls are refused.
   *
   * @return the future of the result
   */
  CompletableFuture<T> toCompletableFuture();

  /**
   * Waits for the task to end and returns its result.
   *
   * @return the result
   * @throws TaskFailedException if the task failed or timed out; the cause is the original failure
   * @throws CancellationException if the task was cancelled
   */
  T join();

  /**
   * Waits for the task to end and returns its outcome, whatever it is.
   *
   * @return the outcome
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  TaskOutcome<T> await() throws InterruptedException;

  /**
   * Cancels the task: a queued task leaves the queue, a running attempt is interrupted (its
   * {@link TaskContext#isCancelled()} turns true), a pending retry is dropped. The outcome is
   * {@link TaskOutcome.Cancelled} at once, even when the work ignores the interrupt.
   *
   * @return {@code true} if this call cancelled the task, {@code false} if it had already ended
   */
  boolean cancel();
}
