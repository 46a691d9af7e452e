package io.agentry.benchmarks;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * Dispatch overhead: {@value #TASKS} no-op tasks submitted, then all joined, through an
 * {@link AgentRuntime} of two local agents, side by side with the floor, a virtual-thread-per-task
 * executor driven by {@link CompletableFuture#supplyAsync(Supplier, java.util.concurrent.Executor)}.
 * One operation is the whole batch; the score is the average time of one batch in milliseconds.
 *
 * <p>Issue 2's target: {@code runtime / rawVirtualThreads <= 1.5}. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar DispatchBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
public class DispatchBenchmark {
  /** Tasks per operation. */
  static final int TASKS = 100_000;

  private static final Integer RESULT = 42;
  private static final Supplier<Integer> NO_OP = () -> RESULT;

  private final Task<Integer> task = Task.of("noop", ctx -> RESULT);
  private AgentRuntime runtime;
  private ExecutorService virtualThreads;

  /** Builds the runtime and the executor once per trial. */
  @Setup(Level.Trial)
  public void setUp() {
    runtime = AgentRuntime.builder()
        .name("bench")
        .agent(Agent.local("a1").capacity(1024))
        .agent(Agent.local("a2").capacity(1024))
        .queueCapacity(200_000)
        .build();
    virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
  }

  /** Closes the runtime and the executor. */
  @TearDown(Level.Trial)
  public void tearDown() {
    runtime.close();
    virtualThreads.close();
  }

  /**
   * Submits {@value #TASKS} no-op tasks to the runtime, then joins them all.
   *
   * @param bh consumes the results
   */
  @Benchmark
  public void runtime(Blackhole bh) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    TaskHandle<Integer>[] handles = new TaskHandle[TASKS];
    for (int i = 0; i < TASKS; i++) {
      handles[i] = runtime.submit(task);
    }
    for (TaskHandle<Integer> handle : handles) {
      bh.consume(handle.join());
    }
  }

  /**
   * The floor: the same batch through {@code supplyAsync} on a virtual-thread-per-task executor.
   *
   * @param bh consumes the results
   */
  @Benchmark
  public void rawVirtualThreads(Blackhole bh) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    CompletableFuture<Integer>[] futures = new CompletableFuture[TASKS];
    for (int i = 0; i < TASKS; i++) {
      futures[i] = CompletableFuture.supplyAsync(NO_OP, virtualThreads);
    }
    for (CompletableFuture<Integer> future : futures) {
      bh.consume(future.join());
    }
  }
}
