package io.agentry.core;

import java.util.concurrent.RejectedExecutionException;

/**
 * Thrown by {@code submit} when the runtime does not accept a task: the queue is full (with
 * {@link Backpressure#REJECT}), the runtime is closed, or the task's id is already in flight. A
 * rejected task has no handle and no outcome.
 */
public class RejectedTaskException extends RejectedExecutionException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the task was not accepted
   */
  public RejectedTaskException(String message) {
    super(message);
  }
}
