package io.agentry.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * When {@link ResiliencePolicy} hedges a slow attempt: once an attempt has run for the hedge delay,
 * the runtime starts another attempt of the same task on another agent with room; the first success
 * wins and the others are cancelled. A failed attempt decides the task only when it is the last one
 * running. Hedging trades extra load for a shorter tail ("The Tail at Scale", Dean and Barroso, 2013),
 * so use it only for idempotent work, and give the policy a {@link RetryBudget}: every hedge is
 * charged to it, and no hedge starts while it is spent. Immutable.
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="hedging"}
 *
 * <p>The delay is fixed ({@link #after(Duration)}) or follows the latency of recent successful
 * attempts of tasks with the same name ({@link #atPercentile(double)}): hedging at the 95th
 * percentile costs about 5% more attempts. Until a task name has {@link #minSamples()} successes the
 * percentile is unknown and its tasks are not hedged.
 *
 * @param fixedDelay the fixed delay, or empty when the delay follows a percentile
 * @param percentile the latency percentile (above 0, at most 100), or empty for a fixed delay
 * @param maxHedges how many extra attempts may run beside the first, at least 1
 * @param minDelay the shortest hedge delay, whatever the percentile says
 * @param minSamples how many successes a task name needs before its percentile is used
 * @param samples how many recent successes per task name the percentile is taken over
 */
public record Hedging(Optional<Duration> fixedDelay, OptionalDouble percentile, int maxHedges,
    Duration minDelay, int minSamples, int samples) {

  /** The default number of hedges: one extra attempt. */
  public static final int DEFAULT_MAX_HEDGES = 1;
  /** The default number of successes needed before a percentile is used. */
  public static final int DEFAULT_MIN_SAMPLES = 100;
  /** The default number of recent successes a percentile is taken over. */
  public static final int DEFAULT_SAMPLES = 1000;
  /** The default shortest hedge delay for percentile hedging: 1 millisecond. */
  public static final Duration DEFAULT_MIN_DELAY = Duration.ofMillis(1);

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException if not exactly one of {@code fixedDelay} and {@code percentile}
   *     is present, or a setting is out of range
   * @throws NullPointerException if a component is null
   */
  public Hedging {
    Objects.requireNonNull(fixedDelay, "fixedDelay");
    Objects.requireNonNull(percentile, "percentile");
    if (fixedDelay.isPresent() == percentile.isPresent()) {
      throw new IllegalArgumentException("exactly one of fixedDelay and percentile must be set, was "
          + fixedDelay + " and " + percentile);
    }
    fixedDelay.ifPresent(d -> Durations.notNegative(d, "delay"));
    if (percentile.isPresent()) {
      checkPercentile(percentile.getAsDouble());
    }
    checkAtLeastOne(maxHedges, "maxHedges");
    Durations.notNegative(minDelay, "minDelay");
    checkAtLeastOne(minSamples, "minSamples");
    checkAtLeastOne(samples, "samples");
  }

  /**
   * Hedges an attempt that has run for a fixed time.
   *
   * @param delay how long an attempt runs before another starts, zero or positive
   * @return the hedging settings, with one hedge at most
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static Hedging after(Duration delay) {
    return new Hedging(Optional.of(Durations.notNegative(delay, "delay")), OptionalDouble.empty(),
        DEFAULT_MAX_HEDGES, DEFAULT_MIN_DELAY, DEFAULT_MIN_SAMPLES, DEFAULT_SAMPLES);
  }

  /**
   * Hedges an attempt that has run longer than a percentile of the recent successful attempts of
   * tasks with the same name.
   *
   * @param percentile above 0 and at most 100, for example 95
   * @return the hedging settings, with one hedge at most, {@value #DEFAULT_MIN_SAMPLES} samples
   *     needed, over the last {@value #DEFAULT_SAMPLES} to {@code 2 ×} that many successes
   * @throws IllegalArgumentException if out of range
   */
  public static Hedging atPercentile(double percentile) {
    return new Hedging(Optional.empty(), OptionalDouble.of(checkPercentile(percentile)),
        DEFAULT_MAX_HEDGES, DEFAULT_MIN_DELAY, DEFAULT_MIN_SAMPLES, DEFAULT_SAMPLES);
  }

  /**
   * Returns a copy allowing more parallel attempts: each further hedge starts one delay after the
   * previous attempt started.
   *
   * @param value how many extra attempts may run beside the first, at least 1
   * @return the copy
   * @throws IllegalArgumentException if below 1
   */
  public Hedging withMaxHedges(int value) {
    return new Hedging(fixedDelay, percentile, checkAtLeastOne(value, "maxHedges"), minDelay,
        minSamples, samples);
  }

  /**
   * Returns a copy with a floor on the percentile delay. Default 1 millisecond.
   *
   * @param value zero or positive
   * @return the copy
   * @throws IllegalArgumentException if negative
   */
  public Hedging withMinDelay(Duration value) {
    return new Hedging(fixedDelay, percentile, maxHedges, Durations.notNegative(value, "minDelay"),
        minSamples, samples);
  }

  /**
   * Returns a copy needing another number of successes before a task name's percentile is used.
   * Default {@value #DEFAULT_MIN_SAMPLES}.
   *
   * @param value at least 1
   * @return the copy
   * @throws IllegalArgumentException if below 1
   */
  public Hedging withMinSamples(int value) {
    return new Hedging(fixedDelay, percentile, maxHedges, minDelay,
        checkAtLeastOne(value, "minSamples"), samples);
  }

  /**
   * Returns a copy taking the percentile over another number of recent successes (between that
   * number and twice it, as the sample rolls over). Default {@value #DEFAULT_SAMPLES}.
   *
   * @param value at least 1
   * @return the copy
   * @throws IllegalArgumentException if below 1
   */
  public Hedging withSamples(int value) {
    return new Hedging(fixedDelay, percentile, maxHedges, minDelay, minSamples,
        checkAtLeastOne(value, "samples"));
  }

  private static double checkPercentile(double value) {
    if (!(value > 0 && value <= 100)) {
      throw new IllegalArgumentException("percentile must be above 0 and at most 100, was " + value);
    }
    return value;
  }

  private static int checkAtLeastOne(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
    return value;
  }
}
