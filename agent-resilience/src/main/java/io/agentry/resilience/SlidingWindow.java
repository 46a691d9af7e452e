package io.agentry.resilience;

import java.time.Duration;

/**
 * Which recent attempts of an agent a failure rate is taken over: the last {@code n}
 * ({@link #ofCount(int)}) or those that ended in the last stretch of time ({@link #ofTime(Duration)}).
 */
public sealed interface SlidingWindow {

  /**
   * Returns a window of the last {@code size} attempts.
   *
   * @param size at least 1
   * @return the window
   * @throws IllegalArgumentException if below 1
   */
  static SlidingWindow ofCount(int size) {
    return new Count(size);
  }

  /**
   * Returns a window of the attempts that ended in the last {@code length} (sliding in tenths of it).
   *
   * @param length at least 10 milliseconds
   * @return the window
   * @throws IllegalArgumentException if shorter
   */
  static SlidingWindow ofTime(Duration length) {
    return new Time(length);
  }

  /**
   * The last {@code size} attempts.
   *
   * @param size at least 1
   */
  record Count(int size) implements SlidingWindow {
    /**
     * Checks the size.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Count {
      if (size < 1) {
        throw new IllegalArgumentException("window size must be at least 1, was " + size);
      }
    }
  }

  /**
   * The attempts that ended in the last {@code length}.
   *
   * @param length at least 10 milliseconds
   */
  record Time(Duration length) implements SlidingWindow {
    /**
     * Checks the length.
     *
     * @throws IllegalArgumentException if shorter than 10 milliseconds
     */
    public Time {
      Durations.atLeast(length, Duration.ofMillis(10), "window length", "10 milliseconds");
      Durations.positive(length, "window length");
    }
  }
}
