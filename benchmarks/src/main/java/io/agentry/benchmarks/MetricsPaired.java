package io.agentry.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link MetricsOverheadBenchmark}'s {@code noMetrics} and {@code withMetrics} alternated batch by
 * batch in one JVM, on their two runtimes, so that every ratio compares batches run at the same
 * moment (see {@link GraphPaired} for why: this machine switches between a fast and a slow mode for
 * minutes at a time, and JMH runs one benchmark after the other). Each round runs 10 batches of
 * each, alternated, which one goes first alternating too, and prints their medians and the ratio;
 * the last line is the median ratio over the rounds.
 *
 * <p>Run with {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.agentry.benchmarks.MetricsPaired [rounds]} (default 12, after 3 warm-up rounds).
 */
public final class MetricsPaired {
  private MetricsPaired() {}

  /**
   * Runs the rounds and prints one line per round, then the median ratio.
   *
   * @param args the number of measured rounds (optional)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    MetricsOverheadBenchmark b = new MetricsOverheadBenchmark();
    MetricsOverheadBenchmark.Plain plain = new MetricsOverheadBenchmark.Plain();
    MetricsOverheadBenchmark.Metered metered = new MetricsOverheadBenchmark.Metered();
    plain.setUp();
    metered.setUp();
    Blackhole bh = Runs.blackhole();
    double ratio;
    try {
      ratio = Runs.paired(rounds, "noMetrics", () -> b.noMetrics(plain, bh),
          "withMetrics", () -> b.withMetrics(metered, bh));
    } finally {
      metered.tearDown(); // also checks that the meters counted every task
      plain.tearDown();
    }
    System.out.printf("median over %d rounds: withMetrics / noMetrics %.3f (target <= 1.10)%n",
        rounds, ratio);
  }
}
