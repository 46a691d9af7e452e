package io.agentry.core;

import java.time.Instant;
import java.util.Optional;

/**
 * What a running attempt knows about itself. The runtime creates one per attempt and passes it to
 * {@link TaskWork#run(TaskContext)}; users do not implement it.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public interface TaskContext {

  /**
   * Returns the task's id: the one given with {@link Task.Builder#id(String)}, or one the runtime made.
   *
   * @return the task id
   */
  String taskId();

  /**
   * Returns the task's name.
   *
   * @return the name given to {@link Task#of(String, TaskWork)}
   */
  String taskName();

  /**
   * Returns this attempt's number, starting at 1.
   *
   * @return the attempt number
   */
  int attempt();

  /**
   * Returns the id of the agent running this attempt.
   *
   * @return the agent id
   */
  String agent();

  /**
   * Returns the instant by which the task must end, if it has a deadline.
   *
   * @return the deadline, or empty when the task has none
   */
  Optional<Instant> deadline();

  /**
   * Tells whether this attempt has been cancelled or timed out; long work should stop when it is.
   *
   * @return {@code true} once the runtime no longer wants this attempt's result
   */
  boolean isCancelled();

  /**
   * Tells the runtime the attempt is alive. Needed only when the task has a heartbeat timeout: an
   * attempt that does not call this within that timeout is presumed stuck and timed out.
   */
  void heartbeat();
}
