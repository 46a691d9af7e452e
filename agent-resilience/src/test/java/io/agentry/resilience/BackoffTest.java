package io.agentry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffTest {
  private static final Duration MS100 = Duration.ofMillis(100);
  private static final int DRAWS = 20_000;
  /** A generator that always draws its largest value, just below 1. */
  private static final RandomGenerator HIGHEST = () -> -1L;
  /** A generator that always draws 0. */
  private static final RandomGenerator LOWEST = () -> 0L;

  @Test
  void noneRetriesAtOnce() {
    assertThat(Backoff.none().delay(7, Duration.ofSeconds(3), LOWEST)).isZero();
  }

  @Test
  void fixedWaitsTheSameBeforeEveryRetry() {
    Backoff fixed = Backoff.fixed(MS100);

    assertThat(fixed.delay(1, Duration.ZERO, LOWEST)).isEqualTo(MS100);
    assertThat(fixed.delay(9, Duration.ofSeconds(5), LOWEST)).isEqualTo(MS100);
  }

  @Test
  void exponentialDoublesUpToTheMaxDelay() {
    Backoff exp = Backoff.exponential(MS100, Duration.ofMillis(500));

    assertThat(delays(exp, 5)).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
        Duration.ofMillis(400), Duration.ofMillis(500), Duration.ofMillis(500));
  }

  @Test
  void exponentialGrowsByTheGivenMultiplier() {
    Backoff exp = Backoff.exponential(MS100, 3, Duration.ofSeconds(10));

    assertThat(delays(exp, 3)).containsExactly(Duration.ofMillis(100), Duration.ofMillis(300),
        Duration.ofMillis(900));
  }

  @Test
  void hugeRetryNumbersStayAtTheCap() {
    Duration cap = Duration.ofMinutes(2);

    assertThat(Backoff.exponential(MS100, cap).delay(10_000, Duration.ZERO, LOWEST)).isEqualTo(cap);
    assertThat(Backoff.fullJitter(MS100, cap).delay(10_000, Duration.ZERO, HIGHEST))
        .isLessThanOrEqualTo(cap).isGreaterThan(cap.minusMillis(1));
  }

  @Test
  void fullJitterStaysInZeroToTheCappedExponentialAndSpreadsOverIt() {
    Duration cap = Duration.ofMillis(1_000);
    Backoff jitter = Backoff.fullJitter(MS100, cap);
    RandomGenerator random = new SplittableRandom(42);
    for (int retry = 1; retry <= 6; retry++) {
      long ceiling = Math.min(cap.toNanos(), MS100.toNanos() << (retry - 1));
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < DRAWS; i++) {
        long d = jitter.delay(retry, Duration.ZERO, random).toNanos();
        assertThat(d).isBetween(0L, ceiling);
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      assertThat(min).as("retry %d draws near 0", retry).isLessThan(ceiling / 100);
      assertThat(max).as("retry %d draws near its ceiling", retry).isGreaterThan(ceiling * 99 / 100);
    }
  }

  @Test
  void fullJitterBoundsAreReachedAtTheExtremesOfTheRandomSource() {
    Backoff jitter = Backoff.fullJitter(MS100, Duration.ofSeconds(1));

    assertThat(jitter.delay(3, Duration.ZERO, LOWEST)).isZero();
    assertThat(jitter.delay(3, Duration.ZERO, HIGHEST))
        .isLessThanOrEqualTo(Duration.ofMillis(400)).isGreaterThan(Duration.ofMillis(399));
  }

  @Test
  void decorrelatedJitterStaysInBaseToThreeTimesThePreviousCapped() {
    Duration cap = Duration.ofSeconds(2);
    Backoff jitter = Backoff.decorrelatedJitter(MS100, cap);
    RandomGenerator random = new SplittableRandom(7);
    for (int chain = 0; chain < DRAWS / 10; chain++) {
      Duration previous = Duration.ZERO;
      for (int retry = 1; retry <= 10; retry++) {
        Duration d = jitter.delay(retry, previous, random);
        long high = Math.min(cap.toNanos(), 3 * Math.max(previous.toNanos(), MS100.toNanos()));
        assertThat(d.toNanos()).isBetween(MS100.toNanos(), high);
        previous = d;
      }
    }
  }

  @Test
  void decorrelatedJitterStartsFromTheBaseAndReachesItsBounds() {
    Backoff jitter = Backoff.decorrelatedJitter(MS100, Duration.ofSeconds(1));

    assertThat(jitter.delay(1, Duration.ZERO, LOWEST)).isEqualTo(MS100);
    assertThat(jitter.delay(1, Duration.ZERO, HIGHEST))
        .isLessThanOrEqualTo(Duration.ofMillis(300)).isGreaterThan(Duration.ofMillis(299));
    assertThat(jitter.delay(4, Duration.ofMillis(900), HIGHEST))
        .isLessThanOrEqualTo(Duration.ofSeconds(1)).isGreaterThan(Duration.ofMillis(999));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fixed", "expBase", "expMultiplier", "expCap", "fullBase", "fullCap",
      "decBase", "decCap"})
  void factoriesRejectBadArgumentsNamingThem(String which) {
    Duration neg = Duration.ofMillis(-1);
    Executable call = switch (which) {
      case "fixed" -> () -> Backoff.fixed(neg);
      case "expBase" -> () -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1));
      case "expMultiplier" -> () -> Backoff.exponential(MS100, 0.5, Duration.ofSeconds(1));
      case "expCap" -> () -> Backoff.exponential(MS100, Duration.ofMillis(99));
      case "fullBase" -> () -> Backoff.fullJitter(neg, Duration.ofSeconds(1));
      case "fullCap" -> () -> Backoff.fullJitter(MS100, Duration.ofMillis(10));
      case "decBase" -> () -> Backoff.decorrelatedJitter(Duration.ZERO, Duration.ofSeconds(1));
      default -> () -> Backoff.decorrelatedJitter(MS100, Duration.ofMillis(10));
    };
    String name = switch (which) {
      case "fixed" -> "delay";
      case "expMultiplier" -> "multiplier";
      case "expCap", "fullCap", "decCap" -> "maxDelay";
      default -> "base";
    };

    assertThatThrownBy(call::execute).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(name);
  }

  private static java.util.List<Duration> delays(Backoff backoff, int retries) {
    java.util.List<Duration> out = new java.util.ArrayList<>();
    Duration previous = Duration.ZERO;
    for (int retry = 1; retry <= retries; retry++) {
      previous = backoff.delay(retry, previous, LOWEST);
      out.add(previous);
    }
    return out;
  }
}
