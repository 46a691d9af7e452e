package io.agentry.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** The backoffs made by {@link Backoff}'s factories, which check the arguments. */
final class Backoffs {
  private Backoffs() {}

  /** The same wait every time. */
  record Fixed(Duration fixed) implements Backoff {
    static final Fixed NONE = new Fixed(Duration.ZERO);

    Fixed {
      Objects.requireNonNull(fixed, "fixed");
    }

    @Override
    public Duration delay(int retry, Duration previous, RandomGenerator random) {
      return fixed;
    }
  }

  /** {@code min(cap, base × multiplier^n)}. */
  record Exponential(Duration base, double multiplier, Duration maxDelay) implements Backoff {
    @Override
    public Duration delay(int retry, Duration previous, RandomGenerator random) {
      return Durations.ofNanos(Math.min(
          (double) maxDelay.toNanos(),
          base.toNanos() * Math.pow(multiplier, retry - 1)));
    }
  }

  /** Uniform in {@code [0, min(cap, base × 2^n)]}. */
  record FullJitter(Duration base, Duration maxDelay) implements Backoff {
    @Override
    public Duration delay(int retry, Duration previous, RandomGenerator random) {
      double ceiling = Math.min((double) maxDelay.toNanos(),
          base.toNanos() * Math.pow(2, retry - 1));
      return Durations.ofNanos(random.nextDouble() * ceiling);
    }
  }

  /** Uniform in {@code [base, min(cap, 3 × previous)]}. */
  record DecorrelatedJitter(Duration base, Duration maxDelay) implements Backoff {
    @Override
    public Duration delay(int retry, Duration previous, RandomGenerator random) {
      long low = base.toNanos();
      long prev = Math.max(previous.toNanos(), low);
      double high = Math.min((double) maxDelay.toNanos(), 3.0 * prev);
      return Durations.ofNanos(low + random.nextDouble() * (high - low));
    }
  }
}
