package io.agentry.core;

/**
 * Thrown by {@link TaskHandle#join()} (and completes {@link TaskHandle#toCompletableFuture()}) when a
 * task failed or timed out. The cause is the original failure, unwrapped and unchanged.
 */
public class TaskFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param taskId the id of the task that failed
   * @param cause the original failure
   */
  public TaskFailedException(String taskId, Throwable cause) {
    super("task " + taskId + " failed: " + cause, cause);
  }
}
