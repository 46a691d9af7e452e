package io.agentry.resilience;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link RetryBudget}. Immutable; build one with {@link #builder()}, or take
 * {@link #ofDefaults()}.
 *
 * <p>Over any {@code window} of time, the budget grants at most
 * {@code ratio × (attempts that ended in the window) + minPerSecond × window seconds} retries and
 * hedges. Every attempt counts, first attempts and retries alike, so with a ratio of 0.2 a workload
 * that fails every time makes at most 1.25 attempts per task beyond the floor.
 *
 * @param ratio the share of recent attempts that may be retries or hedges, from 0 to 1
 * @param minPerSecond the retries and hedges granted per second whatever the ratio allows, so that
 *     a quiet runtime can still retry; 0 or more, finite
 * @param window how far back attempts and retries count; the window slides in tenths of it
 */
public record RetryBudgetConfig(double ratio, double minPerSecond, Duration window) {

  /** The default ratio: retries may be a fifth of recent attempts. */
  public static final double DEFAULT_RATIO = 0.2;
  /** The default floor: 10 retries per second. */
  public static final double DEFAULT_MIN_PER_SECOND = 10;
  /** The default window: 10 seconds. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  /** The shortest window accepted. */
  public static final Duration MIN_WINDOW = Duration.ofMillis(10);

  private static final RetryBudgetConfig DEFAULTS = builder().build();

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException if a setting is out of range
   * @throws NullPointerException if {@code window} is null
   */
  public RetryBudgetConfig {
    checkRatio(ratio);
    checkMinPerSecond(minPerSecond);
    checkWindow(window);
  }

  /**
   * Returns the defaults: ratio {@value #DEFAULT_RATIO}, {@value #DEFAULT_MIN_PER_SECOND} per second,
   * a window of 10 seconds.
   *
   * @return the defaults
   */
  public static RetryBudgetConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these settings, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ratio = ratio;
    b.minPerSecond = minPerSecond;
    b.window = window;
    return b;
  }

  private static double checkRatio(double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException("ratio must be between 0 and 1, was " + value);
    }
    return value;
  }

  private static double checkMinPerSecond(double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("minPerSecond must be 0 or more and finite, was " + value);
    }
    return value;
  }

  private static Duration checkWindow(Duration value) {
    Objects.requireNonNull(value, "window");
    if (value.compareTo(MIN_WINDOW) < 0) {
      throw new IllegalArgumentException("window must be at least " + MIN_WINDOW + ", was " + value);
    }
    return Durations.positive(value, "window");
  }

  /** Builds a {@link RetryBudgetConfig}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private double ratio = DEFAULT_RATIO;
    private double minPerSecond = DEFAULT_MIN_PER_SECOND;
    private Duration window = DEFAULT_WINDOW;

    private Builder() {}

    /**
     * Sets the share of recent attempts that may be retries or hedges. Default
     * {@value RetryBudgetConfig#DEFAULT_RATIO}.
     *
     * @param value from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder ratio(double value) {
      this.ratio = checkRatio(value);
      return this;
    }

    /**
     * Sets the retries and hedges granted per second whatever the ratio allows. Default
     * {@value RetryBudgetConfig#DEFAULT_MIN_PER_SECOND}.
     *
     * @param value 0 or more, finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder minPerSecond(double value) {
      this.minPerSecond = checkMinPerSecond(value);
      return this;
    }

    /**
     * Sets how far back attempts and retries count. Default 10 seconds.
     *
     * @param value at least {@link RetryBudgetConfig#MIN_WINDOW}
     * @return this builder
     * @throws IllegalArgumentException if shorter
     */
    public Builder window(Duration value) {
      this.window = checkWindow(value);
      return this;
    }

    /**
     * Builds the settings; the builder is unchanged and can build again.
     *
     * @return the settings
     */
    public RetryBudgetConfig build() {
      return new RetryBudgetConfig(ratio, minPerSecond, window);
    }
  }
}
