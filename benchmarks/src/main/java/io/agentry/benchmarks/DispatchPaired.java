package io.agentry.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link DispatchBenchmark}'s {@code runtime} and {@code rawVirtualThreads} alternated batch by batch
 * in one JVM, so that every ratio compares batches run at the same moment (see {@link GraphPaired}
 * for why: this machine switches between a fast and a slow mode for minutes at a time, and JMH runs
 * one benchmark after the other). Each round runs 10 batches of each, alternated, which one goes
 * first alternating too, and prints their medians and the ratio; the last line is the median ratio
 * over the rounds.
 *
 * <p>Run with {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.agentry.benchmarks.DispatchPaired [rounds]} (default 12, after 3 warm-up rounds).
 */
public final class DispatchPaired {
  private DispatchPaired() {}

  /**
   * Runs the rounds and prints one line per round, then the median ratio.
   *
   * @param args the number of measured rounds (optional)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    DispatchBenchmark b = new DispatchBenchmark();
    b.setUp();
    Blackhole bh = Runs.blackhole();
    double ratio;
    try {
      ratio = Runs.paired(rounds, "rawVirtualThreads", () -> b.rawVirtualThreads(bh),
          "runtime", () -> b.runtime(bh));
    } finally {
      b.tearDown();
    }
    System.out.printf("median over %d rounds: runtime / rawVirtualThreads %.3f (target <= 1.5)%n",
        rounds, ratio);
  }
}
