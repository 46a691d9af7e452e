package io.agentry.core.spi;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ExecutionPolicy} decides after an attempt: one of {@link Complete}, {@link Retry},
 * {@link Fail} or {@link Succeed}.
 */
public sealed interface Decision {

  /**
   * End the task with what the attempt gave: its result, or its failure.
   *
   * @return the decision
   */
  static Decision complete() {
    return Complete.INSTANCE;
  }

  /**
   * Start another attempt after a delay, on an agent that has not failed this task when one is
   * eligible and has room.
   *
   * @param delay the wait before the task re-enters the queue; zero for at once
   * @return the decision
   * @throws IllegalArgumentException if the delay is negative
   */
  static Decision retry(Duration delay) {
    return new Retry(delay);
  }

  /**
   * End the task as failed with a cause of the policy's (for example "retries exhausted").
   *
   * @param cause the failure the caller sees
   * @return the decision
   */
  static Decision fail(Throwable cause) {
    return new Fail(cause);
  }

  /**
   * End the task as succeeded with a value of the policy's (a fallback).
   *
   * @param value the result the caller sees
   * @return the decision
   */
  static Decision succeed(@Nullable Object value) {
    return new Succeed(value);
  }

  /** End the task with what the attempt gave. */
  enum Complete implements Decision {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Retry after a delay.
   *
   * @param delay the wait before the task re-enters the queue
   */
  record Retry(Duration delay) implements Decision {
    /**
     * Checks the delay.
     *
     * @throws IllegalArgumentException if the delay is negative
     */
    public Retry {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retry delay must not be negative, was " + delay);
      }
    }
  }

  /**
   * Fail with the policy's cause.
   *
   * @param cause the failure the caller sees
   */
  record Fail(Throwable cause) implements Decision {
    /**
     * Checks the cause.
     *
     * @throws NullPointerException if the cause is null
     */
    public Fail {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * Succeed with the policy's value.
   *
   * @param value the result the caller sees
   */
  record Succeed(@Nullable Object value) implements Decision {}
}
