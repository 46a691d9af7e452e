package io.agentry.core.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The runtime's clock and timer: every timeout, retry backoff and heartbeat check is scheduled here,
 * never by sleeping a thread. The default is one daemon platform thread; tests install a manual one.
 * Implementations must be thread-safe, and actions must be run off the caller's thread.
 */
public interface Scheduler {

  /**
   * Returns a monotonic time in nanoseconds (as {@link System#nanoTime()}).
   *
   * @return the current monotonic time
   */
  long nanoTime();

  /**
   * Returns the wall-clock time, for instants reported to users.
   *
   * @return the current instant
   */
  Instant now();

  /**
   * Runs an action once after a delay.
   *
   * @param delay the delay, not negative
   * @param action what to run; must not block
   * @return a way to cancel the action before it runs
   */
  Cancellable schedule(Duration delay, Runnable action);

  /** A scheduled action that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the action if it has not run; harmless otherwise. */
    void cancel();
  }
}
