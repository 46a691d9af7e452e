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

  /**
   * Alternates two sides batch by batch in this JVM: each round runs 10 batches of each, which one
   * goes first alternating too (the second of a pair ran up to 10% slower, whichever it was, as the
   * first one's threads wound down), and prints their medians and the ratio of the second side to
   * the first; after 3 warm-up rounds, {@code rounds} measured ones, then the median ratio.
   *
   * @return the median ratio of {@code b} to {@code a} over the measured rounds
   */
  static double paired(int rounds, String a, Runnable runA, String b, Runnable runB) {
    double[] ratios = new double[rounds];
    for (int r = -3; r < rounds; r++) {
      double[] as = new double[10];
      double[] bs = new double[10];
      for (int k = 0; k < 10; k++) {
        if (k % 2 == 0) {
          as[k] = millis(runA);
          bs[k] = millis(runB);
        } else {
          bs[k] = millis(runB);
          as[k] = millis(runA);
        }
      }
      double ma = median(as);
      double mb = median(bs);
      if (r >= 0) {
        ratios[r] = mb / ma;
      }
      System.out.printf("%s %2d: %s %6.2f ms, %s %6.2f ms, ratio %.3f%n",
          r < 0 ? "warm-up" : "round  ", Math.abs(r), a, ma, b, mb, mb / ma);
    }
    return median(ratios);
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
