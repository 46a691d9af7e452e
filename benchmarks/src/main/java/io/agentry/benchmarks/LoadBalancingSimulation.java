package io.agentry.benchmarks;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.spi.AgentSelector;
import io.agentry.scheduler.Selectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A load-balancing simulation on the real runtime: 8 local agents, one of them five times slower than
 * the others, and tasks whose durations are heavy-tailed (lognormal, median 5 ms, σ = 1, so p99 is
 * about ten times the median; capped at 250 ms), played by sleeping in the task body. Tasks arrive
 * open-loop (Poisson) at a fixed share of the pool's capacity. Three scenarios: agents of 4 slots at
 * 50% and 80% load (slots are scarce, so late binding itself keeps work off a busy agent), and agents
 * of 16 slots (the default capacity) at 20% load (slots to spare: only the selector decides). The same
 * arrival times and durations are replayed for each selector: round-robin, least connections, power
 * of two choices and peak EWMA. It reports completion time (submit to outcome, queue wait included)
 * and each agent's share of the tasks.
 *
 * <p>Each (scenario, selector) pair runs several times, the selectors in a rotating order, and the
 * table shows the median of each figure over the repetitions, with the range of p99: on a shared
 * machine a run now and then stalls for reasons of its own.
 *
 * <p>Run with {@code java -cp benchmarks/target/benchmarks.jar
 * io.agentry.benchmarks.LoadBalancingSimulation [tasksPerRun [repetitions [selector,...]]]} (defaults:
 * 6000 tasks, 3 repetitions, the four selectors; about a minute and a half in all).
 */
public final class LoadBalancingSimulation {
  private static final int AGENTS = 8;
  private static final String SLOW = "agent-7";
  private static final int SLOWDOWN = 5;
  private static final double MEDIAN_MS = 5.0;
  private static final double SIGMA = 1.0;
  private static final long CAP_NANOS = Duration.ofMillis(250).toNanos();

  /** A scenario: slots per agent, and the arrival rate as a share of the pool's capacity. */
  private record Scenario(int capacity, double load) {}

  private static final List<Scenario> SCENARIOS = List.of(new Scenario(4, 0.5), new Scenario(4, 0.8),
      new Scenario(16, 0.2));

  private LoadBalancingSimulation() {}

  /** What one run measured; times in milliseconds, shares in percent. */
  private record Result(double p50, double p99, double p999, double mean, double queueWait,
      double slowShare, double fastMin, double fastMax) {}

  /**
   * Runs the simulation and prints a Markdown table.
   *
   * @param args optionally: tasks per run, repetitions, and a comma-separated list of selectors
   * @throws InterruptedException if interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 6_000;
    int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, Supplier<AgentSelector>> all = new LinkedHashMap<>();
    all.put("roundRobin", Selectors::roundRobin);
    all.put("leastConnections", Selectors::leastConnections);
    all.put("powerOfTwoChoices", () -> Selectors.powerOfTwoChoices(new SplittableRandom(1)));
    all.put("peakEwma", () -> Selectors.peakEwma(Duration.ofSeconds(10), new SplittableRandom(2)));
    List<String> names = args.length > 2 ? List.of(args[2].split(",")) : List.copyOf(all.keySet());
    for (String name : names) {
      Objects.requireNonNull(all.get(name), () -> "unknown selector " + name + "; one of "
          + all.keySet());
    }

    SplittableRandom random = new SplittableRandom(42);
    long[] durations = new long[tasks];
    double meanNanos = 0;
    for (int i = 0; i < tasks; i++) {
      double ms = MEDIAN_MS * Math.exp(SIGMA * random.nextGaussian());
      durations[i] = Math.min((long) (ms * 1_000_000), CAP_NANOS);
      meanNanos += durations[i] / (double) tasks;
    }
    System.out.printf(Locale.ROOT, "%d agents, %s %dx slower; durations lognormal (median %.1f ms,"
        + " sigma %.1f, mean %.2f ms, cap 250 ms); %d tasks per run, %d repetitions; %d CPUs%n",
        AGENTS, SLOW, SLOWDOWN, MEDIAN_MS, SIGMA, meanNanos / 1e6, tasks, repetitions,
        Runtime.getRuntime().availableProcessors());

    Scenario warmUp = new Scenario(4, 0.5);
    int warmUpTasks = Math.min(tasks, 4_000);
    run(Selectors::roundRobin, Arrays.copyOf(durations, warmUpTasks),
        arrivals(warmUpTasks, 0.5 * capacityPerSecond(warmUp, meanNanos), new SplittableRandom(7)),
        warmUp);

    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (Scenario scenario : SCENARIOS) {
      double rate = scenario.load() * capacityPerSecond(scenario, meanNanos);
      long[] arrivals = arrivals(tasks, rate, new SplittableRandom(7));
      for (int rep = 0; rep < repetitions; rep++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get((k + rep) % names.size());
          long began = System.nanoTime();
          Result r = run(all.get(name), durations, arrivals, scenario);
          results.computeIfAbsent(key(scenario, name), x -> new ArrayList<>()).add(r);
          System.out.printf(Locale.ROOT, "  %d slots, load %.0f%% (%.0f tasks/s), %-17s run %d:"
              + " p99 %.1f ms (%.1f s)%n", scenario.capacity(), scenario.load() * 100, rate, name,
              rep + 1, r.p99(), (System.nanoTime() - began) / 1e9);
        }
      }
    }

    System.out.println();
    System.out.println("| slots per agent | load | selector | p50 ms | p99 ms (range) | p99.9 ms "
        + "| mean ms | mean queue wait ms | tasks on slow agent | tasks per fast agent |");
    System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for (Scenario scenario : SCENARIOS) {
      for (String name : names) {
        List<Result> rs = results.get(key(scenario, name));
        double[] p99s = rs.stream().mapToDouble(Result::p99).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %d | %.0f%% | %s | %.1f | %.1f (%.1f-%.1f) | %.1f | %.1f |"
            + " %.2f | %.1f%% | %.1f-%.1f%% |%n", scenario.capacity(), scenario.load() * 100, name,
            median(rs, Result::p50), median(rs, Result::p99), p99s[0], p99s[p99s.length - 1],
            median(rs, Result::p999), median(rs, Result::mean), median(rs, Result::queueWait),
            median(rs, Result::slowShare), median(rs, Result::fastMin), median(rs, Result::fastMax));
      }
    }
  }

  private static String key(Scenario scenario, String selector) {
    return scenario + "/" + selector;
  }

  private static double median(List<Result> results, ToDoubleFunction<Result> figure) {
    double[] values = results.stream().mapToDouble(figure).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /** Tasks per second the pool completes at full use: 7 fast agents and one at 1/SLOWDOWN speed. */
  private static double capacityPerSecond(Scenario scenario, double meanNanos) {
    int c = scenario.capacity();
    return ((AGENTS - 1) * c + c / (double) SLOWDOWN) / (meanNanos / 1e9);
  }

  /** Poisson arrival times, in nanoseconds from the start. */
  private static long[] arrivals(int n, double perSecond, SplittableRandom random) {
    long[] at = new long[n];
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += -Math.log(1 - random.nextDouble()) / perSecond;
      at[i] = (long) (t * 1e9);
    }
    return at;
  }

  private static Result run(Supplier<AgentSelector> selector, long[] durations, long[] arrivals,
      Scenario scenario) throws InterruptedException {
    AgentRuntime.Builder builder = AgentRuntime.builder().name("simulation")
        .selector(selector.get()).queueCapacity(Math.max(1_000, durations.length));
    for (int i = 0; i < AGENTS; i++) {
      builder.agent(Agent.local("agent-" + i).capacity(scenario.capacity()));
    }
    List<TaskHandle<Void>> handles = new ArrayList<>(durations.length);
    try (AgentRuntime runtime = builder.build()) {
      long began = System.nanoTime();
      for (int i = 0; i < durations.length; i++) {
        long due = began + arrivals[i];
        long now;
        while ((now = System.nanoTime()) < due) {
          LockSupport.parkNanos(due - now);
        }
        long nanos = durations[i];
        handles.add(runtime.submit(Task.<Void>of("work", ctx -> {
          Thread.sleep(Duration.ofNanos(ctx.agent().equals(SLOW) ? nanos * SLOWDOWN : nanos));
          return null;
        })));
      }
      handles.forEach(TaskHandle::join);
    }
    int n = handles.size();
    double[] millis = new double[n];
    int[] perAgent = new int[AGENTS];
    double waitSum = 0;
    for (int i = 0; i < n; i++) {
      TaskOutcome<Void> outcome = handles.get(i).outcome().orElseThrow();
      millis[i] = outcome.duration().toNanos() / 1e6;
      waitSum += outcome.queueWait().toNanos() / 1e6;
      String agent = outcome.agents().get(outcome.agents().size() - 1);
      perAgent[Integer.parseInt(agent.substring("agent-".length()))]++;
    }
    Arrays.sort(millis);
    int fastMin = Integer.MAX_VALUE;
    int fastMax = 0;
    for (int i = 0; i < AGENTS - 1; i++) {
      fastMin = Math.min(fastMin, perAgent[i]);
      fastMax = Math.max(fastMax, perAgent[i]);
    }
    return new Result(percentile(millis, 0.50), percentile(millis, 0.99), percentile(millis, 0.999),
        Arrays.stream(millis).average().orElse(0), waitSum / n, 100.0 * perAgent[AGENTS - 1] / n,
        100.0 * fastMin / n, 100.0 * fastMax / n);
  }

  private static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
