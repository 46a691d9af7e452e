package io.agentry.core.spi;

import io.agentry.core.Task;

/**
 * What a {@link TaskQueue} and an {@link AgentSelector} see of a task waiting to be placed. The
 * runtime implements it; identity is the task run (one submission), so queues may use it as a key.
 */
public interface QueuedTask {

  /**
   * Returns the submitted task.
   *
   * @return the task
   */
  Task<?> task();

  /**
   * Returns the id of this submission.
   *
   * @return the task id
   */
  String taskId();

  /**
   * Returns the submission order: strictly increasing across the runtime's submissions.
   *
   * @return the sequence number
   */
  long sequence();

  /**
   * Returns how many attempts have started so far (0 while waiting for the first).
   *
   * @return the number of attempts started
   */
  int attempts();

  /**
   * Returns when the task entered the queue this time, on the runtime's
   * {@link Scheduler#nanoTime()} scale.
   *
   * @return the enqueue time in nanoseconds
   */
  long enqueuedNanos();

  /**
   * Returns the time of the task's deadline on the runtime's {@link Scheduler#nanoTime()} scale, or
   * {@link Long#MAX_VALUE} when it has none.
   *
   * @return the deadline in nanoseconds, or {@code Long.MAX_VALUE}
   */
  long deadlineNanos();
}
