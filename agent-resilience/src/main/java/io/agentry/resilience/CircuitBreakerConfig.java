package io.agentry.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Settings of {@link CircuitBreakers}, the same for every agent. Immutable; build one with
 * {@link #builder()}, or take {@link #ofDefaults()}.
 *
 * <p>An agent's circuit opens (the agent is ejected: it gets no task) when either trigger fires:
 * {@code consecutiveFailures} failed attempts in a row, or a failure rate of at least
 * {@code failureRateThreshold} over its {@code slidingWindow} once that window holds
 * {@code minimumAttempts}. After {@code waitInOpen} the circuit turns half-open and the agent takes
 * {@code halfOpenProbes} attempts: if all succeed the circuit closes, and the first failure re-opens
 * it. A failed attempt is one whose work threw or that timed out; cancelled attempts (hedging losers,
 * cancelled tasks) and attempts whose agent went away say nothing about the agent and are not
 * counted.
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="circuit"}
 *
 * @param consecutiveFailures failures in a row that open the circuit, or 0 for no such trigger
 * @param failureRateThreshold the failure rate (above 0, at most 1) that opens the circuit, or empty
 *     for no such trigger
 * @param slidingWindow the attempts the failure rate is taken over
 * @param minimumAttempts how many attempts the window must hold before its rate counts
 * @param waitInOpen how long an open circuit stays open
 * @param halfOpenProbes how many attempts a half-open circuit lets through, all of which must
 *     succeed to close it
 */
public record CircuitBreakerConfig(int consecutiveFailures, OptionalDouble failureRateThreshold,
    SlidingWindow slidingWindow, int minimumAttempts, Duration waitInOpen, int halfOpenProbes) {

  /** The default number of failures in a row that open a circuit. */
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  /** The default window size of the failure rate (when a rate is set): the last 20 attempts. */
  public static final int DEFAULT_WINDOW_SIZE = 20;
  /** The default number of attempts a window needs before its rate counts. */
  public static final int DEFAULT_MINIMUM_ATTEMPTS = 10;
  /** The default wait in the open state: 30 seconds. */
  public static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds(30);
  /** The default number of half-open probes. */
  public static final int DEFAULT_HALF_OPEN_PROBES = 3;

  private static final CircuitBreakerConfig DEFAULTS = builder().build();

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException if a setting is out of range
   * @throws IllegalStateException if neither trigger is set
   * @throws NullPointerException if a component is null
   */
  public CircuitBreakerConfig {
    checkConsecutive(consecutiveFailures);
    Objects.requireNonNull(failureRateThreshold, "failureRateThreshold");
    if (failureRateThreshold.isPresent()) {
      checkRate(failureRateThreshold.getAsDouble());
    }
    Objects.requireNonNull(slidingWindow, "slidingWindow");
    checkAtLeastOne(minimumAttempts, "minimumAttempts");
    Durations.positive(waitInOpen, "waitInOpen");
    checkAtLeastOne(halfOpenProbes, "halfOpenProbes");
    if (consecutiveFailures == 0 && failureRateThreshold.isEmpty()) {
      throw new IllegalStateException("a circuit breaker needs a trigger: consecutiveFailures > 0 "
          + "or a failureRateThreshold");
    }
  }

  /**
   * Returns the defaults: open after {@value #DEFAULT_CONSECUTIVE_FAILURES} failures in a row, no
   * failure-rate trigger, 30 seconds open, {@value #DEFAULT_HALF_OPEN_PROBES} probes.
   *
   * @return the defaults
   */
  public static CircuitBreakerConfig ofDefaults() {
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
    b.consecutiveFailures = consecutiveFailures;
    b.failureRateThreshold = failureRateThreshold;
    b.slidingWindow = slidingWindow;
    b.minimumAttempts = minimumAttempts;
    b.waitInOpen = waitInOpen;
    b.halfOpenProbes = halfOpenProbes;
    return b;
  }

  private static int checkConsecutive(int value) {
    if (value < 0) {
      throw new IllegalArgumentException("consecutiveFailures must be 0 (off) or more, was " + value);
    }
    return value;
  }

  private static double checkRate(double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException("failureRateThreshold must be above 0 and at most 1, was "
          + value);
    }
    return value;
  }

  private static int checkAtLeastOne(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return value;
  }

  /**
   * Builds a {@link CircuitBreakerConfig}. Each setter checks its argument at once; {@link #build()}
   * checks that a trigger is set. Not thread-safe.
   */
  public static final class Builder {
    private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
    private OptionalDouble failureRateThreshold = OptionalDouble.empty();
    private SlidingWindow slidingWindow = SlidingWindow.ofCount(DEFAULT_WINDOW_SIZE);
    private int minimumAttempts = DEFAULT_MINIMUM_ATTEMPTS;
    private Duration waitInOpen = DEFAULT_WAIT_IN_OPEN;
    private int halfOpenProbes = DEFAULT_HALF_OPEN_PROBES;

    private Builder() {}

    /**
     * Sets how many failures in a row open an agent's circuit. Default
     * {@value CircuitBreakerConfig#DEFAULT_CONSECUTIVE_FAILURES}.
     *
     * @param value at least 1, or 0 to rely on the failure rate only
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder consecutiveFailures(int value) {
      this.consecutiveFailures = checkConsecutive(value);
      return this;
    }

    /**
     * Opens an agent's circuit when its failure rate over the sliding window reaches a threshold.
     * Default: no failure-rate trigger.
     *
     * @param threshold above 0 and at most 1, for example 0.5
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder failureRateThreshold(double threshold) {
      this.failureRateThreshold = OptionalDouble.of(checkRate(threshold));
      return this;
    }

    /**
     * Sets the attempts the failure rate is taken over. Default: the last
     * {@value CircuitBreakerConfig#DEFAULT_WINDOW_SIZE} attempts.
     *
     * @param value {@link SlidingWindow#ofCount(int)} or {@link SlidingWindow#ofTime(Duration)}
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public Builder slidingWindow(SlidingWindow value) {
      this.slidingWindow = Objects.requireNonNull(value, "slidingWindow");
      return this;
    }

    /**
     * Sets how many attempts the window must hold before its failure rate can open the circuit.
     * Default {@value CircuitBreakerConfig#DEFAULT_MINIMUM_ATTEMPTS}.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder minimumAttempts(int value) {
      this.minimumAttempts = checkAtLeastOne(value, "minimumAttempts");
      return this;
    }

    /**
     * Sets how long an open circuit keeps its agent out before it turns half-open. Default 30
     * seconds.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder waitInOpen(Duration value) {
      this.waitInOpen = Durations.positive(value, "waitInOpen");
      return this;
    }

    /**
     * Sets how many attempts a half-open circuit lets through; all must succeed to close it, and
     * the first failure re-opens it. Default {@value CircuitBreakerConfig#DEFAULT_HALF_OPEN_PROBES}.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder halfOpenProbes(int value) {
      this.halfOpenProbes = checkAtLeastOne(value, "halfOpenProbes");
      return this;
    }

    /**
     * Builds the settings; the builder is unchanged and can build again.
     *
     * @return the settings
     * @throws IllegalStateException if neither trigger is set (consecutive failures 0 and no rate)
     */
    public CircuitBreakerConfig build() {
      return new CircuitBreakerConfig(consecutiveFailures, failureRateThreshold, slidingWindow,
          minimumAttempts, waitInOpen, halfOpenProbes);
    }
  }
}
