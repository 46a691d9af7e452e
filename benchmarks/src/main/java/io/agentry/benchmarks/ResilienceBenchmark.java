package io.agentry.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.resilience.Backoff;
import io.agentry.resilience.ResiliencePolicy;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Issue 5: retry(3 attempts, exponential backoff) + attempt timeout(1 s) around a no-op task, on
 * virtual threads, side by side:
 *
 * <ul>
 *   <li>{@code agentry}: an {@link AgentRuntime} of two local agents with a {@link ResiliencePolicy};
 *   <li>{@code failsafe}: Failsafe 3.3.2, {@code Failsafe.with(retryPolicy, timeout)} (retry
 *       outermost, the timeout per attempt) {@code .with(virtual-thread executor).getAsync(...)};
 *   <li>{@code resilience4j}: Resilience4j 2.4.0, {@code Retry.executeCompletionStage} around
 *       {@code TimeLimiter.executeCompletionStage} around {@code supplyAsync} on a virtual-thread
 *       executor (both need a scheduler for waits and timeouts: a 2-thread pool);
 *   <li>{@code handWritten}, the floor: one virtual thread per task runs a retry loop, each attempt
 *       inline with a timer (a {@code ScheduledThreadPoolExecutor}) that would interrupt it after 1 s.
 * </ul>
 *
 * <p>{@code path=success}: the work returns at once. {@code path=retry}: it fails twice (a
 * pre-made exception, so no stack trace is filled in), then returns; the backoff is zero there, as
 * the issue asks. One operation submits {@value #TASKS} tasks, then waits for them all; the score is
 * the average time of one operation, so per task divide by {@value #TASKS}. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar ResilienceBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class ResilienceBenchmark {
  /** Tasks per operation. */
  static final int TASKS = 1_000;
  private static final int ATTEMPTS = 3;
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration BASE = Duration.ofMillis(10);
  private static final Duration MAX = Duration.ofSeconds(1);
  private static final Integer RESULT = 42;
  /** Thrown by failing attempts; made once, so every library pays the same (no stack trace). */
  private static final RuntimeException FAILURE = new PlannedFailure();

  /** {@code success}: the first attempt succeeds; {@code retry}: the third one does. */
  @Param({"success", "retry"})
  public String path;

  private boolean retries;
  private AgentRuntime runtime;
  private Task<Integer> agentryTask;
  private ExecutorService virtualThreads;
  private ScheduledExecutorService timer;
  private FailsafeExecutor<Integer> failsafe;
  private Retry r4jRetry;
  private TimeLimiter r4jTimeLimiter;

  /** A task's work for the peers: fails twice on the retry path. */
  private Integer work(AtomicInteger calls) {
    if (retries && calls.incrementAndGet() < ATTEMPTS) {
      throw FAILURE;
    }
    return RESULT;
  }

  /** Builds every library's setup once per trial. */
  @Setup(Level.Trial)
  public void setUp() {
    retries = path.equals("retry");
    Backoff backoff = retries ? Backoff.none() : Backoff.exponential(BASE, MAX);
    runtime = AgentRuntime.builder()
        .name("bench")
        .agent(Agent.local("a1").capacity(1024))
        .agent(Agent.local("a2").capacity(1024))
        .policy(ResiliencePolicy.builder()
            .maxAttempts(ATTEMPTS)
            .backoff(backoff)
            .attemptTimeout(ATTEMPT_TIMEOUT)
            .build())
        .build();
    boolean fail = retries;
    agentryTask = Task.of("noop", ctx -> {
      if (fail && ctx.attempt() < ATTEMPTS) {
        throw FAILURE;
      }
      return RESULT;
    });

    virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    timer = Executors.newScheduledThreadPool(2);

    RetryPolicy<Integer> retryPolicy = retries
        ? RetryPolicy.<Integer>builder().withMaxAttempts(ATTEMPTS).build()
        : RetryPolicy.<Integer>builder().withMaxAttempts(ATTEMPTS).withBackoff(BASE, MAX).build();
    Timeout<Integer> timeout = Timeout.<Integer>builder(ATTEMPT_TIMEOUT).withInterrupt().build();
    failsafe = Failsafe.with(retryPolicy, timeout).with(virtualThreads);

    RetryConfig.Builder<Object> r4j = RetryConfig.custom().maxAttempts(ATTEMPTS);
    r4jRetry = Retry.of("bench", (retries
        ? r4j.intervalFunction(attempt -> 0L)
        : r4j.intervalFunction(IntervalFunction.ofExponentialBackoff(BASE, 2, MAX))).build());
    r4jTimeLimiter = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(ATTEMPT_TIMEOUT)
        .cancelRunningFuture(true).build());
  }

  /** Closes everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    runtime.close();
    virtualThreads.close();
    timer.shutdownNow();
  }

  /**
   * Agentry: submit {@value #TASKS} tasks to the runtime, then join them.
   *
   * @param bh consumes the results
   */
  @Benchmark
  public void agentry(Blackhole bh) {
    @SuppressWarnings("unchecked")
    TaskHandle<Integer>[] handles = new TaskHandle[TASKS];
    for (int i = 0; i < TASKS; i++) {
      handles[i] = runtime.submit(agentryTask);
    }
    for (TaskHandle<Integer> h : handles) {
      bh.consume(h.join());
    }
  }

  /**
   * Failsafe: {@value #TASKS} async executions, then join them.
   *
   * @param bh consumes the results
   */
  @Benchmark
  public void failsafe(Blackhole bh) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] futures = new CompletableFuture[TASKS];
    for (int i = 0; i < TASKS; i++) {
      AtomicInteger calls = new AtomicInteger();
      futures[i] = failsafe.getAsync(() -> work(calls));
    }
    for (CompletableFuture<Integer> f : futures) {
      bh.consume(f.join());
    }
  }

  /**
   * Resilience4j: {@value #TASKS} decorated completion stages, then join them.
   *
   * @param bh consumes the results
   */
  @Benchmark
  public void resilience4j(Blackhole bh) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] futures = new CompletableFuture[TASKS];
    for (int i = 0; i < TASKS; i++) {
      AtomicInteger calls = new AtomicInteger();
      CompletionStage<Integer> stage = r4jRetry.executeCompletionStage(timer,
          () -> r4jTimeLimiter.executeCompletionStage(timer,
              () -> CompletableFuture.supplyAsync(() -> work(calls), virtualThreads)));
      futures[i] = stage.toCompletableFuture();
    }
    for (CompletableFuture<Integer> f : futures) {
      bh.consume(f.join());
    }
  }

  /**
   * The floor: {@value #TASKS} virtual threads, each a retry loop whose attempts a timer would
   * interrupt after 1 s; then wait for them.
   *
   * @param bh consumes the results
   * @throws Exception if a task failed (it does not)
   */
  @Benchmark
  public void handWritten(Blackhole bh) throws Exception {
    @SuppressWarnings("unchecked")
    Future<Integer>[] futures = new Future[TASKS];
    for (int i = 0; i < TASKS; i++) {
      futures[i] = virtualThreads.submit(this::retryLoop);
    }
    for (Future<Integer> f : futures) {
      bh.consume(f.get());
    }
  }

  private Integer retryLoop() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    Thread self = Thread.currentThread();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      ScheduledFuture<?> guard = timer.schedule(self::interrupt, ATTEMPT_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
      try {
        return work(calls);
      } catch (RuntimeException e) {
        last = e;
      } finally {
        guard.cancel(false);
        Thread.interrupted();
      }
      if (!retries) {
        long wait = Math.min(MAX.toNanos(), BASE.toNanos() << (attempt - 1));
        TimeUnit.NANOSECONDS.sleep(wait); // never reached: the no-op succeeds at once
      }
    }
    throw last;
  }

  /**
   * Checks that every setup gives the result, once, outside measurement.
   *
   * @param args unused
   * @throws Exception if a check fails
   */
  public static void main(String[] args) throws Exception {
    for (String p : new String[] {"success", "retry"}) {
      ResilienceBenchmark b = new ResilienceBenchmark();
      b.path = p;
      b.setUp();
      try {
        Blackhole bh = Runs.blackhole();
        b.agentry(bh);
        b.failsafe(bh);
        b.resilience4j(bh);
        b.handWritten(bh);
        System.out.println(p + ": every setup ran " + TASKS + " tasks");
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      } finally {
        b.tearDown();
      }
    }
  }

  /** A failure without a stack trace. */
  private static final class PlannedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PlannedFailure() {
      super("planned failure", null, false, false);
    }
  }
}
