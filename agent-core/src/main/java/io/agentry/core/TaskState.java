package io.agentry.core;

/** Where a submitted task is in its life. The last four are terminal: a task reaches one of them exactly once. */
public enum TaskState {
  /** Waiting in the runtime's queue for an eligible agent with a free slot. */
  QUEUED,
  /** An attempt is running on an agent. */
  RUNNING,
  /** An attempt failed and the policy scheduled another; waiting for the backoff to pass. */
  RETRY_WAIT,
  /** Ended with a result. */
  SUCCEEDED,
  /** Ended with a failure. */
  FAILED,
  /** Ended because it was cancelled (by its handle or by {@link AgentRuntime#close()}). */
  CANCELLED,
  /** Ended because a timeout passed. */
  TIMED_OUT;

  /**
   * Tells whether this state ends a task.
   *
   * @return {@code true} for {@link #SUCCEEDED}, {@link #FAILED}, {@link #CANCELLED}, {@link #TIMED_OUT}
   */
  public boolean isTerminal() {
    return ordinal() >= SUCCEEDED.ordinal();
  }
}
