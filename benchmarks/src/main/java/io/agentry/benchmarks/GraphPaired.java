package io.agentry.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link GraphBenchmark}'s variants alternated in one JVM, round after round, so that every ratio
 * compares runs made at the same moment. On the 2-CPU machines this project is measured on, the
 * whole machine switches between a fast and a slow mode (everything, the floor included, takes 2 to
 * 3 times as long for minutes at a time); JMH runs its benchmarks one after the other, so a ratio
 * of two JMH scores can compare two modes. Here each round runs the same code as the JMH methods:
 * {@code agentryExecute} and {@code floor} 10 times each, {@code agentryBuildExecute} 10 times and
 * {@code dexecutorBuildExecute} once, and prints the medians and the two ratios of the issue's
 * targets (execution / floor, Dexecutor / Agentry for build + execute).
 *
 * <p>Run with {@code java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar
 * io.agentry.benchmarks.GraphPaired [rounds]} (default 12, after 3 warm-up rounds).
 */
public final class GraphPaired {
  private GraphPaired() {}

  /**
   * Runs the rounds and prints one line per round, then the medians over the rounds.
   *
   * @param args the number of measured rounds (optional)
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    GraphBenchmark b = new GraphBenchmark();
    b.layers = 100;
    b.setUp();
    Blackhole bh = Runs.blackhole();
    double[] executeRatios = new double[rounds];
    double[] buildRatios = new double[rounds];
    try {
      for (int r = -3; r < rounds; r++) {
        double[] execute = new double[10];
        double[] floor = new double[10];
        double[] build = new double[10];
        for (int k = 0; k < 10; k++) {
          long t0 = System.nanoTime();
          bh.consume(b.agentryExecute());
          long t1 = System.nanoTime();
          b.floor(bh);
          long t2 = System.nanoTime();
          bh.consume(b.agentryBuildExecute());
          long t3 = System.nanoTime();
          execute[k] = (t1 - t0) / 1e6;
          floor[k] = (t2 - t1) / 1e6;
          build[k] = (t3 - t2) / 1e6;
        }
        long t4 = System.nanoTime();
        bh.consume(b.dexecutorBuildExecute());
        double dexecutor = (System.nanoTime() - t4) / 1e6;
        double e = Runs.median(execute);
        double f = Runs.median(floor);
        double be = Runs.median(build);
        if (r >= 0) {
          executeRatios[r] = e / f;
          buildRatios[r] = dexecutor / be;
        }
        System.out.printf("%s %2d: agentry execute %6.2f ms, floor %6.2f ms, ratio %.2f | "
                + "agentry build+execute %6.2f ms, dexecutor %7.1f ms, %5.1fx%n",
            r < 0 ? "warm-up" : "round  ", Math.abs(r), e, f, e / f, be, dexecutor, dexecutor / be);
      }
    } finally {
      b.tearDown();
    }
    System.out.printf("median over %d rounds: execute / floor %.2f (target <= 1.5), "
        + "dexecutor / agentry build+execute %.1fx (target >= 100x)%n",
        rounds, Runs.median(executeRatios), Runs.median(buildRatios));
  }
}
