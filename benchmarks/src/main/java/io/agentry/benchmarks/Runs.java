package io.agentry.benchmarks;

import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/** What the programs that call benchmark methods outside JMH share. */
final class Runs {
  private Runs() {}

  /** A blackhole for calling {@code @Benchmark} methods from a plain {@code main}. */
  static Blackhole blackhole() {
    return new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
  }

  /** Runs the action once and returns how long it took, in milliseconds. */
  static double millis(Runnable action) {
    long t0 = System.nanoTime();
    action.run();
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The median of the values (the mean of the middle two for an even count); they are not changed. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
