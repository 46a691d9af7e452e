package io.agentry.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * A timeout of a task passed. {@link #timeout()} names which one: {@code "queueTimeout"},
 * {@code "attemptTimeout"}, {@code "deadline"} or {@code "heartbeatTimeout"}.
 */
public class TaskTimeoutException extends TimeoutException {
  private static final long serialVersionUID = 1L;

  /** The name of the timeout that passed. */
  private final String timeout;
  /** The configured value of that timeout. */
  private final Duration limit;

  /**
   * Creates the exception.
   *
   * @param timeout the name of the timeout that passed
   * @param limit its configured value
   */
  public TaskTimeoutException(String timeout, Duration limit) {
    super(Objects.requireNonNull(timeout, "timeout") + " of " + limit + " passed");
    this.timeout = timeout;
    this.limit = limit;
  }

  /**
   * Returns the name of the timeout that passed.
   *
   * @return {@code queueTimeout}, {@code attemptTimeout}, {@code deadline} or {@code heartbeatTimeout}
   */
  public String timeout() {
    return timeout;
  }

  /**
   * Returns the configured value of the timeout that passed.
   *
   * @return the limit
   */
  public Duration limit() {
    return limit;
  }
}
