package io.agentry.resilience;

import java.time.Duration;
import java.util.Objects;

/** Argument checks and conversions for durations; messages name the parameter and the value. */
final class Durations {
  private static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  private Durations() {}

  static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return fitsNanos(value, name);
  }

  static Duration notNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    return fitsNanos(value, name);
  }

  /** Time is kept in nanoseconds (as the runtime's clock); about 292 years at most. */
  private static Duration fitsNanos(Duration value, String name) {
    if (value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + MAX + ", was " + value);
    }
    return value;
  }

  static Duration atLeast(Duration value, Duration floor, String name, String floorName) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(floor) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + floorName + " (" + floor
          + "), was " + value);
    }
    return value;
  }

  /** Rounds down to whole nanoseconds; huge values saturate (a double may exceed a long). */
  static Duration ofNanos(double nanos) {
    if (!(nanos > 0)) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos);
  }
}
