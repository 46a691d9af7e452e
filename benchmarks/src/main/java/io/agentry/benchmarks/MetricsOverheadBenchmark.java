package io.agentry.benchmarks;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.metrics.AgentryMetrics;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of metrics (issue 6): {@link DispatchBenchmark}'s batch, {@value #TASKS} no-op tasks
 * submitted then all joined on two local agents of capacity 1024 (queue capacity 200 000),
 * through a runtime with no meters and through one bound by {@link AgentryMetrics} (defaults) to a
 * {@link PrometheusMeterRegistry}. One operation is the whole batch; the score is the average time
 * of one batch in milliseconds. In {@code withMetrics} nothing scrapes the registry: the cost
 * measured is the one on the task path (since D19 the runtime's own counts per task name, and the
 * events that are left: none for a task that succeeds). {@code withMetricsScraped} also scrapes the
 * registry after every batch, which is where the counts are read.
 *
 * <p>A third variant, {@code noOpListener}, registers a listener that does nothing: it separates
 * what any listener costs (the runtime creates and publishes its events only when one is
 * registered) from what the Micrometer meters add on top.
 *
 * <p>Issue 6's target: {@code withMetrics / noMetrics <= 1.10}. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar MetricsOverheadBenchmark}. {@link MetricsPaired}
 * alternates the first and third variants in one JVM, for ratios of batches run at the same moment.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
public class MetricsOverheadBenchmark {
  /** Tasks per operation. */
  static final int TASKS = 100_000;

  private static final Integer RESULT = 42;
  private static final Task<Integer> TASK = Task.of("noop", ctx -> RESULT);

  /** A runtime with no meters. */
  @State(Scope.Benchmark)
  public static class Plain {
    AgentRuntime runtime;

    /** Builds the runtime once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
      runtime = newRuntime();
    }

    /** Closes the runtime. */
    @TearDown(Level.Trial)
    public void tearDown() {
      runtime.close();
    }
  }

  /** The same runtime with a listener that ignores every event. */
  @State(Scope.Benchmark)
  public static class Listened {
    AgentRuntime runtime;

    /** Builds the runtime once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
      runtime = newRuntime(AgentRuntime.builder().listener(event -> { }));
    }

    /** Closes the runtime. */
    @TearDown(Level.Trial)
    public void tearDown() {
      runtime.close();
    }
  }

  /** The same runtime, its meters bound to a Prometheus registry. */
  @State(Scope.Benchmark)
  public static class Metered {
    AgentRuntime runtime;
    AgentryMetrics metrics;
    PrometheusMeterRegistry registry;

    /** Builds the runtime and binds its meters once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
      runtime = newRuntime();
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      metrics = AgentryMetrics.of(runtime);
      metrics.bindTo(registry);
    }

    /** Checks that the meters counted the tasks (and prints the count), then closes everything. */
    @TearDown(Level.Trial)
    public void tearDown() {
      // successes are read from the runtime's counts (a FunctionCounter), the rest counted from events
      double completed = Search.in(registry).name("agentry.tasks.completed").counters().stream()
          .mapToDouble(c -> c.count()).sum()
          + Search.in(registry).name("agentry.tasks.completed").functionCounters().stream()
          .mapToDouble(c -> c.count()).sum();
      if (completed < TASKS) {
        throw new IllegalStateException(
            "agentry.tasks.completed counted only " + completed + " tasks");
      }
      System.out.printf("%nagentry.tasks.completed: %.0f tasks (%.1f batches)%n", completed,
          completed / TASKS);
      if (!registry.scrape().contains("agentry_tasks_completed_total")) {
        throw new IllegalStateException("the scrape has no agentry_tasks_completed_total");
      }
      metrics.close();
      runtime.close();
      registry.close();
    }
  }

  static AgentRuntime newRuntime() {
    return newRuntime(AgentRuntime.builder());
  }

  static AgentRuntime newRuntime(AgentRuntime.Builder builder) {
    return builder
        .name("bench")
        .agent(Agent.local("a1").capacity(1024))
        .agent(Agent.local("a2").capacity(1024))
        .queueCapacity(200_000)
        .build();
  }

  /**
   * The batch through a runtime with no meters.
   *
   * @param state the runtime
   * @param bh consumes the results
   */
  @Benchmark
  public void noMetrics(Plain state, Blackhole bh) {
    batch(state.runtime, bh);
  }

  /**
   * The batch through a runtime with a listener that does nothing: the cost of events alone.
   *
   * @param state the runtime
   * @param bh consumes the results
   */
  @Benchmark
  public void noOpListener(Listened state, Blackhole bh) {
    batch(state.runtime, bh);
  }

  /**
   * The batch through a runtime whose meters are bound to a Prometheus registry.
   *
   * @param state the runtime and its meters
   * @param bh consumes the results
   */
  @Benchmark
  public void withMetrics(Metered state, Blackhole bh) {
    batch(state.runtime, bh);
  }

  /**
   * As {@link #withMetrics}, and the registry is scraped after every batch: hundreds of times more
   * often than any real scrape, to show what reading the meters costs now that the counts the
   * runtime keeps are read at scrape time (D19).
   *
   * @param state the runtime and its meters
   * @param bh consumes the results and the scrape
   */
  @Benchmark
  public void withMetricsScraped(Metered state, Blackhole bh) {
    batch(state.runtime, bh);
    bh.consume(state.registry.scrape());
  }

  private static void batch(AgentRuntime runtime, Blackhole bh) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    TaskHandle<Integer>[] handles = new TaskHandle[TASKS];
    for (int i = 0; i < TASKS; i++) {
      handles[i] = runtime.submit(TASK);
    }
    for (TaskHandle<Integer> handle : handles) {
      bh.consume(handle.join());
    }
  }
}
