package io.agentry.resilience;

import io.agentry.core.AgentLostException;
import io.agentry.core.Task;
import io.agentry.core.TaskTimeouts;
import io.agentry.core.spi.AttemptReport;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The resilience policy of a runtime or of one task: how many attempts, how long to wait between
 * them, which failures and results to retry, the task's timeouts, a retry budget, hedging and a
 * fallback. Set it on the runtime, and override it per task:
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="policy"}
 *
 * <h2>The order, once</h2>
 * The runtime and this policy apply their parts in one order, whatever order the builder calls
 * come in:
 * <ol>
 *   <li><b>Timeouts</b>, enforced by the runtime on its timer: {@code queueTimeout} (submission to
 *       first start), {@code attemptTimeout} and {@code heartbeatTimeout} (each attempt; a timed-out
 *       attempt is interrupted and counts as a failed attempt, with a
 *       {@link io.agentry.core.TaskTimeoutException}), and {@code deadline} (submission to the end,
 *       retries and backoff included; when it passes the task ends timed out, whatever runs). A
 *       timeout set on the task wins over the one set here.
 *   <li><b>Retry decision</b> after each attempt: a success whose result the
 *       {@link Builder#retryIfResult result predicate} does not reject completes the task. A failure
 *       is retried when it is retryable (see below) and attempts remain; a rejected result is
 *       retried while attempts remain. The wait comes from the {@link Backoff}; the retry goes to an
 *       agent that has not failed the task when one is eligible (failover). An attempt whose agent
 *       went away ({@link AgentLostException}) is always failed over at once, without backoff or
 *       budget, up to {@code maxAttempts + 2} attempts in all.
 *   <li><b>Deadline</b>: a retry whose wait would end at or after the task's deadline is not
 *       scheduled; the task fails at once with {@link RetryPastDeadlineException}.
 *   <li><b>Budget</b>: the {@link RetryBudget}, if any, must grant the retry, or the task fails with
 *       {@link RetryBudgetExhaustedException}.
 *   <li><b>Circuit breaking</b> (a {@link CircuitBreakers} guard on the runtime) decides which agents
 *       may take the retry, and any attempt.
 *   <li><b>Hedging</b>: while an attempt runs past the {@link Hedging} delay, another starts on
 *       another agent, if the budget has room; the first success wins.
 *   <li><b>Fallback</b>: a task that would fail, for any of the reasons above, succeeds instead with
 *       the fallback, unless the failure is an {@link Error}. A deadline that passes ends the task
 *       timed out without asking the policy, so no fallback applies then.
 * </ol>
 *
 * <p><b>Retryable failures.</b> By default every {@link Exception} is retried and no {@link Error}
 * is ({@code OutOfMemoryError}, {@code AssertionError} and the like fail the task at once; the
 * runtime lives on). {@link Builder#retryOn} and {@link Builder#retryIf} narrow the retried failures
 * to those they match; an {@code Error} is retried only when {@code retryOn} names its class or a
 * superclass of it below {@code Error}. {@link Builder#abortOn} and {@link Builder#abortIf} win over
 * both. When retries run out on a failure, the task fails with that failure, unchanged (a timed-out
 * last attempt leaves the task timed out); when they run out on a rejected result, it fails with
 * {@link RetriesExhaustedException} holding the result, and never succeeds with it.
 *
 * <p><b>State.</b> The policy keeps no state per task: it computes each wait from the attempt's number
 * and a random generator made for the task id ({@link RandomSource}), replaying the task's earlier
 * draws where the backoff needs the previous wait (decorrelated jitter). Its only state is the
 * latency sample of percentile hedging; the budget is shared state of its own. Immutable settings,
 * thread-safe; {@link #afterAttempt} and {@link #hedgeAfter} run under the runtime's dispatch lock,
 * so the predicates and the fallback function must be fast and must not block.
 */
public final class ResiliencePolicy implements ExecutionPolicy {

  /** The default number of attempts, the first included. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** The default backoff: full jitter from 100 milliseconds, capped at 10 seconds. */
  public static final Backoff DEFAULT_BACKOFF =
      Backoff.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(10));
  /** Attempts a lost agent may add beyond {@code maxAttempts}. */
  static final int LOST_AGENT_EXTRA_ATTEMPTS = 2;

  private static final ResiliencePolicy DEFAULTS = builder().build();

  private final int maxAttempts;
  private final Backoff backoff;
  private final RandomSource random;
  private final List<Class<? extends Throwable>> retryOn;
  private final List<Predicate<? super Throwable>> retryIf;
  private final List<Class<? extends Throwable>> abortOn;
  private final List<Predicate<? super Throwable>> abortIf;
  private final @Nullable Predicate<? super @Nullable Object> retryIfResult;
  private final TaskTimeouts timeouts;
  private final @Nullable RetryBudget budget;
  private final @Nullable Hedging hedging;
  private final @Nullable Latencies latencies;
  private final @Nullable Function<? super Throwable, ? extends @Nullable Object> fallback;

  private ResiliencePolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.random = b.random;
    this.retryOn = List.copyOf(b.retryOn);
    this.retryIf = List.copyOf(b.retryIf);
    this.abortOn = List.copyOf(b.abortOn);
    this.abortIf = List.copyOf(b.abortIf);
    this.retryIfResult = b.retryIfResult;
    this.timeouts = b.timeouts;
    this.budget = b.budget;
    Hedging h = b.hedging;
    this.hedging = h;
    this.latencies = h != null && h.percentile().isPresent()
        ? new Latencies(h.percentile().getAsDouble(), h.samples(), h.minSamples())
        : null;
    this.fallback = b.fallback;
  }

  /**
   * Returns the default policy: {@value #DEFAULT_MAX_ATTEMPTS} attempts with full-jitter backoff
   * ({@link #DEFAULT_BACKOFF}), every {@link Exception} retried and no {@link Error}, no timeouts,
   * no budget, no hedging, no fallback.
   *
   * @return the default policy
   */
  public static ResiliencePolicy ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these settings, to derive a variant. The variant shares this policy's
   * budget and random source; it starts its own latency sample for percentile hedging.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.backoff = backoff;
    b.random = random;
    b.retryOn.addAll(retryOn);
    b.retryIf.addAll(retryIf);
    b.abortOn.addAll(abortOn);
    b.abortIf.addAll(abortIf);
    b.retryIfResult = retryIfResult;
    b.timeouts = timeouts;
    b.budget = budget;
    b.hedging = hedging;
    b.fallback = fallback;
    return b;
  }

  /**
   * Returns the most attempts a task makes, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns the backoff between attempts.
   *
   * @return the backoff
   */
  public Backoff backoff() {
    return backoff;
  }

  /**
   * Returns the timeouts this policy gives tasks that do not set their own.
   *
   * @return the timeouts, {@link TaskTimeouts#none()} by default
   */
  public TaskTimeouts taskTimeouts() {
    return timeouts;
  }

  /**
   * Returns the retry budget, if any.
   *
   * @return the budget, or empty
   */
  public Optional<RetryBudget> budget() {
    return Optional.ofNullable(budget);
  }

  /**
   * Returns the hedging settings, if hedging is on.
   *
   * @return the settings, or empty
   */
  public Optional<Hedging> hedging() {
    return Optional.ofNullable(hedging);
  }

  /**
   * Returns the timeouts for a task that does not set its own: this policy's.
   *
   * @param task the task
   * @return this policy's timeouts
   */
  @Override
  public TaskTimeouts timeouts(Task<?> task) {
    return timeouts;
  }

  /**
   * Returns the hedge delay for an attempt that is starting, or empty for none: when hedging is on,
   * fewer than {@code maxHedges + 1} attempts run, the budget (if any) has room, and, for percentile
   * hedging, the task's name has enough samples. A hedge that starts is charged to the budget here,
   * since the runtime asks this as every attempt starts, and a hedge is an attempt that starts while
   * others of its task run.
   *
   * @param task the task
   * @param attemptsRunning the attempts of the task running, the starting one included
   * @return the delay after which to hedge, or empty
   */
  @Override
  public Optional<Duration> hedgeAfter(Task<?> task, int attemptsRunning) {
    Hedging h = hedging;
    if (h == null) {
      return Optional.empty();
    }
    RetryBudget b = budget;
    if (b != null && attemptsRunning > 1) {
      b.charge(); // this attempt is a hedge, already decided when its delay passed
    }
    if (attemptsRunning > h.maxHedges() || b != null && !b.hasRoom()) {
      return Optional.empty();
    }
    Optional<Duration> fixed = h.fixedDelay();
    if (fixed.isPresent()) {
      return fixed;
    }
    long nanos = Objects.requireNonNull(latencies).percentile(task.name());
    if (nanos < 0) {
      return Optional.empty();
    }
    return Optional.of(Durations.ofNanos(Math.max(nanos, h.minDelay().toNanos())));
  }

  /**
   * Decides what follows an attempt, in the order of the class description.
   *
   * @param report how the attempt ended
   * @return the decision
   */
  @Override
  public Decision afterAttempt(AttemptReport report) {
    RetryBudget b = budget;
    if (b != null) {
      b.recordAttempt();
    }
    Throwable failure = report.failure();
    int attempt = report.attempt();
    if (failure == null) {
      Object result = report.result();
      Latencies l = latencies;
      if (l != null) {
        l.record(report.task().name(), report.attemptDuration().toNanos());
      }
      Predicate<? super @Nullable Object> rejects = retryIfResult;
      if (rejects == null || !rejects.test(result)) {
        return Decision.complete();
      }
      if (attempt >= maxAttempts) {
        return giveUp(new RetriesExhaustedException(attempt, result), report);
      }
      return retry(report, true, result, null);
    }
    if (aborts(failure)) {
      return giveUp(failure, report);
    }
    if (failure instanceof AgentLostException) {
      return attempt < maxAttempts + LOST_AGENT_EXTRA_ATTEMPTS
          ? Decision.retry(Duration.ZERO)
          : giveUp(failure, report);
    }
    if (!retries(failure) || attempt >= maxAttempts) {
      return giveUp(failure, report);
    }
    return retry(report, false, null, failure);
  }

  /**
   * Returns the wait before a task's retry: the backoff replayed for retries 1 to {@code retry} with
   * the task's random generator.
   *
   * @param taskId the task's id
   * @param retry the retry's number, from 1
   * @return the wait
   * @throws IllegalArgumentException if {@code retry} is below 1
   * @throws IllegalStateException if the backoff returns a negative or null wait
   */
  public Duration delayBefore(String taskId, int retry) {
    Objects.requireNonNull(taskId, "taskId");
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1, was " + retry);
    }
    Backoff bo = backoff;
    if (bo instanceof Backoffs.Fixed f) {
      return f.fixed();
    }
    if (bo instanceof Backoffs.Exponential e) {
      return e.delay(retry, Duration.ZERO, NO_RANDOM);
    }
    RandomGenerator g = random.forTask(taskId);
    Duration previous = Duration.ZERO;
    for (int k = 1; k <= retry; k++) {
      Duration d = bo.delay(k, previous, g);
      if (d == null || d.isNegative()) {
        throw new IllegalStateException("backoff " + bo + " returned " + d + " for retry " + k);
      }
      previous = d;
    }
    return previous;
  }

  private Decision retry(AttemptReport report, boolean rejected, @Nullable Object result,
      @Nullable Throwable failure) {
    int attempt = report.attempt();
    Duration delay = delayBefore(report.taskId(), attempt);
    Optional<Duration> deadline = report.task().timeouts().deadline().or(timeouts::deadline);
    if (deadline.isPresent() && report.elapsed().plus(delay).compareTo(deadline.get()) >= 0) {
      return giveUp(new RetryPastDeadlineException(deadline.get(), report.elapsed(), delay, attempt,
          rejected, result, failure), report);
    }
    RetryBudget b = budget;
    if (b != null && !b.tryAcquire()) {
      return giveUp(new RetryBudgetExhaustedException(b.describe(), attempt, rejected, result,
          failure), report);
    }
    return Decision.retry(delay);
  }

  /** The task will not be retried: fall back, or fail with the cause. */
  private Decision giveUp(Throwable cause, AttemptReport report) {
    Function<? super Throwable, ? extends @Nullable Object> f = fallback;
    if (f != null && !(cause instanceof Error)) {
      try {
        return Decision.succeed(f.apply(cause));
      } catch (RuntimeException e) {
        e.addSuppressed(cause);
        return Decision.fail(e);
      }
    }
    return cause == report.failure() ? Decision.complete() : Decision.fail(cause);
  }

  private boolean aborts(Throwable failure) {
    for (Class<? extends Throwable> type : abortOn) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    for (Predicate<? super Throwable> p : abortIf) {
      if (p.test(failure)) {
        return true;
      }
    }
    return false;
  }

  private boolean retries(Throwable failure) {
    if (failure instanceof Error) {
      for (Class<? extends Throwable> type : retryOn) {
        if (Error.class.isAssignableFrom(type) && type.isInstance(failure)) {
          return true;
        }
      }
      return false;
    }
    if (retryOn.isEmpty() && retryIf.isEmpty()) {
      return true;
    }
    for (Class<? extends Throwable> type : retryOn) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    for (Predicate<? super Throwable> p : retryIf) {
      if (p.test(failure)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ResiliencePolicy[maxAttempts=" + maxAttempts + ", backoff=" + backoff
        + ", timeouts=" + timeouts + (budget == null ? "" : ", budget=" + budget)
        + (hedging == null ? "" : ", hedging=" + hedging)
        + (fallback == null ? "" : ", fallback") + "]";
  }

  /** For backoffs that draw nothing. */
  private static final RandomGenerator NO_RANDOM = () -> {
    throw new IllegalStateException("this backoff draws no random numbers");
  };

  /**
   * Builds a {@link ResiliencePolicy}. Each setter checks its argument at once; {@link #build()}
   * checks the combination, leaves the builder unchanged and may be called again. Not thread-safe.
   */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Backoff backoff = DEFAULT_BACKOFF;
    private RandomSource random = RandomSource.ofDefaults();
    private final List<Class<? extends Throwable>> retryOn = new ArrayList<>();
    private final List<Predicate<? super Throwable>> retryIf = new ArrayList<>();
    private final List<Class<? extends Throwable>> abortOn = new ArrayList<>();
    private final List<Predicate<? super Throwable>> abortIf = new ArrayList<>();
    private @Nullable Predicate<? super @Nullable Object> retryIfResult;
    private TaskTimeouts timeouts = TaskTimeouts.none();
    private @Nullable RetryBudget budget;
    private @Nullable Hedging hedging;
    private @Nullable Function<? super Throwable, ? extends @Nullable Object> fallback;

    private Builder() {}

    /**
     * Sets the most attempts a task makes, the first included; 1 means no retry. Default
     * {@value ResiliencePolicy#DEFAULT_MAX_ATTEMPTS}.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxAttempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    /**
     * Sets the wait before each retry. Default {@link ResiliencePolicy#DEFAULT_BACKOFF}: full jitter
     * from 100 milliseconds, capped at 10 seconds.
     *
     * @param value the backoff, for example {@code Backoff.exponential(base, maxDelay)}
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public Builder backoff(Backoff value) {
      this.backoff = Objects.requireNonNull(value, "backoff");
      return this;
    }

    /**
     * Sets where jittered backoffs draw from. Default {@link RandomSource#ofDefaults()}, seeded at
     * random when the builder is made.
     *
     * @param value the source; {@link RandomSource#seeded(long)} for reproducible waits
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public Builder random(RandomSource value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /**
     * Retries failures of these types (and their subtypes). The first call replaces the default
     * (every {@link Exception}); later calls add types. Naming an {@link Error} type is the only way
     * to retry errors.
     *
     * @param types the types; at least one
     * @return this builder
     * @throws IllegalArgumentException if no type is given
     * @throws NullPointerException if a type is null
     */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... types) {
      retryOn.addAll(types("retryOn", types));
      return this;
    }

    /**
     * Retries failures the predicate accepts (never an {@link Error}). The first such call replaces
     * the default (every {@link Exception}); a failure matching any {@code retryOn} type or
     * {@code retryIf} predicate is retried.
     *
     * @param predicate tests a failure; fast, non-blocking
     * @return this builder
     * @throws NullPointerException if {@code predicate} is null
     */
    public Builder retryIf(Predicate<? super Throwable> predicate) {
      retryIf.add(Objects.requireNonNull(predicate, "retryIf"));
      return this;
    }

    /**
     * Never retries failures of these types (and their subtypes), even lost agents; wins over
     * {@code retryOn} and {@code retryIf}. Calls add types.
     *
     * @param types the types; at least one
     * @return this builder
     * @throws IllegalArgumentException if no type is given
     * @throws NullPointerException if a type is null
     */
    @SafeVarargs
    public final Builder abortOn(Class<? extends Throwable>... types) {
      abortOn.addAll(types("abortOn", types));
      return this;
    }

    /**
     * Never retries failures the predicate accepts; wins over {@code retryOn} and {@code retryIf}.
     *
     * @param predicate tests a failure; fast, non-blocking
     * @return this builder
     * @throws NullPointerException if {@code predicate} is null
     */
    public Builder abortIf(Predicate<? super Throwable> predicate) {
      abortIf.add(Objects.requireNonNull(predicate, "abortIf"));
      return this;
    }

    /**
     * Retries an attempt whose result the predicate accepts (rejects the result); when no attempts
     * remain, the task fails with {@link RetriesExhaustedException} holding that result. The
     * predicate sees results of every task under this policy: test the type when task types differ.
     * Default: every result is accepted.
     *
     * @param predicate tests a result (which may be null); fast, non-blocking
     * @return this builder
     * @throws NullPointerException if {@code predicate} is null
     */
    public Builder retryIfResult(Predicate<? super @Nullable Object> predicate) {
      this.retryIfResult = Objects.requireNonNull(predicate, "retryIfResult");
      return this;
    }

    /**
     * Sets the longest time from submission to the start of the first attempt, for tasks that do
     * not set their own. Default: none.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder queueTimeout(Duration value) {
      timeouts = timeouts.withQueueTimeout(Durations.positive(value, "queueTimeout"));
      return this;
    }

    /**
     * Sets the longest time one attempt may run; it is then interrupted and counts as a failed
     * attempt (retried like any failure). For tasks that do not set their own. Default: none.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder attemptTimeout(Duration value) {
      timeouts = timeouts.withAttemptTimeout(Durations.positive(value, "attemptTimeout"));
      return this;
    }

    /**
     * Sets the longest time from submission to the task's end, retries and waits included, for
     * tasks that do not set their own. Retries that could not start before it are not scheduled.
     * Default: none.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder deadline(Duration value) {
      timeouts = timeouts.withDeadline(Durations.positive(value, "deadline"));
      return this;
    }

    /**
     * Sets how long an attempt may go without calling {@code ctx.heartbeat()} before it is presumed
     * stuck, timed out and retried like any failure. For tasks that do not set their own. Default:
     * none.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder heartbeatTimeout(Duration value) {
      timeouts = timeouts.withHeartbeatTimeout(Durations.positive(value, "heartbeatTimeout"));
      return this;
    }

    /**
     * Sets the retry budget that every retry and hedge must be granted by; share one among the
     * policies of a runtime. Default: none (retries are bounded by {@code maxAttempts} only).
     *
     * @param value the budget
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public Builder budget(RetryBudget value) {
      this.budget = Objects.requireNonNull(value, "budget");
      return this;
    }

    /**
     * Turns hedging on. Default: off.
     *
     * @param value when to hedge, for example {@code Hedging.after(Duration.ofMillis(50))}
     * @return this builder
     * @throws NullPointerException if {@code value} is null
     */
    public Builder hedging(Hedging value) {
      this.hedging = Objects.requireNonNull(value, "hedging");
      return this;
    }

    /**
     * Makes a task that would fail succeed with a value instead. It must be of the task's result
     * type: set a fallback on a per-task policy when task types differ. Not applied to an
     * {@link Error}. Replaces an earlier fallback. Default: none.
     *
     * @param value the fallback result, may be null
     * @return this builder
     */
    public Builder fallbackValue(@Nullable Object value) {
      this.fallback = failure -> value;
      return this;
    }

    /**
     * Makes a task that would fail succeed with a value computed from the failure: the work's last
     * failure, or the policy's {@link RetryStoppedException}. The value must be of the task's result
     * type. The function runs under the runtime's dispatch lock: fast, non-blocking; if it throws,
     * the task fails with what it threw (the original failure added as suppressed). Not applied to
     * an {@link Error}. Replaces an earlier fallback. Default: none.
     *
     * @param function computes the fallback result from the failure
     * @return this builder
     * @throws NullPointerException if {@code function} is null
     */
    public Builder fallback(Function<? super Throwable, ? extends @Nullable Object> function) {
      this.fallback = Objects.requireNonNull(function, "fallback");
      return this;
    }

    /**
     * Builds the policy; the builder is unchanged and can build again.
     *
     * @return the policy
     * @throws IllegalStateException if the queue or attempt timeout is longer than the deadline
     *     (it could never apply)
     */
    public ResiliencePolicy build() {
      Optional<Duration> deadline = timeouts.deadline();
      if (deadline.isPresent()) {
        longerThanDeadline("queueTimeout", timeouts.queueTimeout(), deadline.get());
        longerThanDeadline("attemptTimeout", timeouts.attemptTimeout(), deadline.get());
      }
      return new ResiliencePolicy(this);
    }

    private static void longerThanDeadline(String name, Optional<Duration> value, Duration deadline) {
      if (value.isPresent() && value.get().compareTo(deadline) > 0) {
        throw new IllegalStateException(name + " (" + value.get() + ") is longer than the deadline ("
            + deadline + "), so it could never apply");
      }
    }

    private static List<Class<? extends Throwable>> types(String name,
        Class<? extends Throwable>[] types) {
      Objects.requireNonNull(types, name);
      if (types.length == 0) {
        throw new IllegalArgumentException(name + " needs at least one type, was none");
      }
      for (Class<? extends Throwable> t : types) {
        Objects.requireNonNull(t, name + " type");
      }
      return Arrays.asList(types);
    }
  }
}
