package io.agentry.resilience;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a task waits before a retry. A backoff is a pure function of the retry's number, the
 * previous wait and a random source: it keeps no state, so one backoff serves every task at once.
 * The factories cover the common cases:
 *
 * <ul>
 *   <li>{@link #none()}: retry at once;
 *   <li>{@link #fixed(Duration)}: the same wait every time;
 *   <li>{@link #exponential(Duration, double, Duration)}: {@code base × multiplier^n}, capped;
 *   <li>{@link #fullJitter(Duration, Duration)}: uniform in {@code [0, min(cap, base × 2^n)]};
 *   <li>{@link #decorrelatedJitter(Duration, Duration)}: uniform in
 *       {@code [base, min(cap, 3 × previous)]}.
 * </ul>
 *
 * <p>Here {@code n} counts the retries before this one (0 for the first retry). The jittered
 * backoffs follow "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015); jitter spreads the
 * retries of many tasks that failed together, so they do not return together.
 *
 * <p>{@link ResiliencePolicy} computes the wait of retry {@code n} by calling the backoff for retries
 * 1 to {@code n} in turn with one random generator made for the task (see {@link RandomSource}), so a
 * backoff that uses {@code previous} sees the wait the task really had before.
 */
@FunctionalInterface
public interface Backoff {

  /**
   * Returns the wait before a retry.
   *
   * @param retry the number of the retry, 1 for the first (the attempt that follows is
   *     {@code retry + 1})
   * @param previous the wait before the previous retry, {@link Duration#ZERO} before the first
   * @param random the task's random source; draw from it only when the backoff is random
   * @return the wait, zero or positive
   */
  Duration delay(int retry, Duration previous, RandomGenerator random);

  /**
   * Returns a backoff that retries at once.
   *
   * @return the backoff
   */
  static Backoff none() {
    return Backoffs.Fixed.NONE;
  }

  /**
   * Returns a backoff that waits the same time before every retry.
   *
   * @param delay the wait, zero or positive
   * @return the backoff
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  static Backoff fixed(Duration delay) {
    return new Backoffs.Fixed(Durations.notNegative(delay, "delay"));
  }

  /**
   * Returns a backoff that doubles the wait after every retry, up to a cap: {@code base},
   * {@code 2 × base}, {@code 4 × base} and so on, never more than {@code maxDelay}.
   *
   * @param base the first wait, positive
   * @param maxDelay the longest wait, at least {@code base}
   * @return the backoff
   * @throws IllegalArgumentException if {@code base} is not positive or {@code maxDelay} is below it
   */
  static Backoff exponential(Duration base, Duration maxDelay) {
    return exponential(base, 2, maxDelay);
  }

  /**
   * Returns a backoff that multiplies the wait after every retry, up to a cap:
   * {@code min(maxDelay, base × multiplier^n)}.
   *
   * @param base the first wait, positive
   * @param multiplier the growth factor, at least 1 and finite
   * @param maxDelay the longest wait, at least {@code base}
   * @return the backoff
   * @throws IllegalArgumentException if {@code base} is not positive, {@code multiplier} is below 1
   *     or not finite, or {@code maxDelay} is below {@code base}
   */
  static Backoff exponential(Duration base, double multiplier, Duration maxDelay) {
    Durations.positive(base, "base");
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be at least 1 and finite, was "
          + multiplier);
    }
    Durations.atLeast(maxDelay, base, "maxDelay", "base");
    return new Backoffs.Exponential(base, multiplier, maxDelay);
  }

  /**
   * Returns exponential backoff with full jitter: the wait before retry {@code n + 1} is drawn
   * uniformly from {@code [0, min(maxDelay, base × 2^n)]}.
   *
   * @param base the upper bound of the first wait, positive
   * @param maxDelay the cap on the upper bound, at least {@code base}
   * @return the backoff
   * @throws IllegalArgumentException if {@code base} is not positive or {@code maxDelay} is below it
   */
  static Backoff fullJitter(Duration base, Duration maxDelay) {
    Durations.positive(base, "base");
    Durations.atLeast(maxDelay, base, "maxDelay", "base");
    return new Backoffs.FullJitter(base, maxDelay);
  }

  /**
   * Returns decorrelated jitter: each wait is drawn uniformly from
   * {@code [base, min(maxDelay, 3 × previous)]}, the previous wait being {@code base} before the
   * first retry. Waits grow about threefold on average yet stay spread out.
   *
   * @param base the shortest wait, positive
   * @param maxDelay the longest wait, at least {@code base}
   * @return the backoff
   * @throws IllegalArgumentException if {@code base} is not positive or {@code maxDelay} is below it
   */
  static Backoff decorrelatedJitter(Duration base, Duration maxDelay) {
    Durations.positive(base, "base");
    Durations.atLeast(maxDelay, base, "maxDelay", "base");
    return new Backoffs.DecorrelatedJitter(base, maxDelay);
  }
}
