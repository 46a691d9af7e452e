package io.agentry.infinispan;

import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link Handler} knows about the attempt it runs. Valid during the call only.
 */
public interface HandlerContext {

  /**
   * Returns the handler's name.
   *
   * @return the name
   */
  String handler();

  /**
   * Returns the attempt's id, unique in the cluster: the submitting member's name, a slash and the
   * submitting runtime's {@code taskId#attempt}. Two runs of a handler for one task have different
   * attempt ids.
   *
   * @return the attempt id
   */
  String attemptId();

  /**
   * Returns the task's idempotency key, the same for every attempt of the task, so a handler can
   * deduplicate its side effects.
   *
   * @return the key, or empty if the task has none
   */
  Optional<String> idempotencyKey();

  /**
   * Returns the name of the member that submitted the task.
   *
   * @return the member's name
   */
  String origin();

  /**
   * Returns the task's deadline.
   *
   * @return the deadline, or empty
   */
  Optional<Instant> deadline();

  /**
   * Tells whether the attempt was given up (timed out, cancelled): the handler should stop.
   *
   * @return {@code true} once its result is no longer wanted
   */
  boolean isCancelled();

  /**
   * Signals progress, for tasks with a heartbeat timeout on the member that runs them.
   */
  void heartbeat();
}
