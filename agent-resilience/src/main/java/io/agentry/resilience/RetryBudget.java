package io.agentry.resilience;

import io.agentry.core.spi.Scheduler;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A retry budget shared by the policies of a runtime: it lets retries and hedges be at most a share
 * of recent attempts plus a small floor per second (see {@link RetryBudgetConfig}), so that when an
 * agent pool or a downstream service fails, retries cannot multiply the load (a retry storm). The
 * idea and the defaults are Finagle's; Envoy and gRPC have the same.
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="budget"}
 *
 * <p>A {@link ResiliencePolicy} given a budget {@linkplain #recordAttempt() records} every attempt
 * it sees end and {@linkplain #tryAcquire() asks} before every retry and hedge; a refused retry fails
 * the task with {@link RetryBudgetExhaustedException}, a refused hedge is simply not started. Share
 * one budget among the policies of one runtime (the runtime's policy and the per-task ones); a budget
 * per policy would let each kind of task storm on its own.
 *
 * <p>The window slides in tenths of its length, on the clock given at creation: pass the runtime's
 * {@link Scheduler} when the runtime has one of its own (tests with a manual scheduler), else the
 * budget reads {@link System#nanoTime()}, as the runtime's default timer does. Thread-safe; each call
 * takes a short lock.
 */
public final class RetryBudget {
  private static final int BUCKETS = 10;

  private final RetryBudgetConfig config;
  private final LongSupplier clock;
  private final long bucketNanos;
  private final long origin;
  private final double floor;
  private final ReentrantLock lock = new ReentrantLock();
  // ---- guarded by lock: ring of buckets, each the counts of one tenth of the window
  private final long[] bucketOf = new long[BUCKETS];
  private final long[] attempts = new long[BUCKETS];
  private final long[] spent = new long[BUCKETS];
  // ---- totals since creation, for metrics
  private final LongAdder recorded = new LongAdder();
  private final LongAdder granted = new LongAdder();
  private final LongAdder refused = new LongAdder();

  private RetryBudget(RetryBudgetConfig config, LongSupplier clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = clock;
    this.bucketNanos = Math.max(1, config.window().toNanos() / BUCKETS);
    this.origin = clock.getAsLong();
    this.floor = config.minPerSecond() * (config.window().toNanos() / 1e9);
    Arrays.fill(bucketOf, -1);
  }

  /**
   * Creates a budget with the default settings ({@link RetryBudgetConfig#ofDefaults()}) on the system
   * clock.
   *
   * @return the budget
   */
  public static RetryBudget ofDefaults() {
    return of(RetryBudgetConfig.ofDefaults());
  }

  /**
   * Creates a budget on the system clock ({@link System#nanoTime()}).
   *
   * @param config the settings
   * @return the budget
   * @throws NullPointerException if {@code config} is null
   */
  public static RetryBudget of(RetryBudgetConfig config) {
    return new RetryBudget(config, System::nanoTime);
  }

  /**
   * Creates a budget whose window slides on a scheduler's clock, normally the one given to the
   * runtime.
   *
   * @param config the settings
   * @param clock the clock; only its {@link Scheduler#nanoTime()} is read
   * @return the budget
   * @throws NullPointerException if an argument is null
   */
  public static RetryBudget of(RetryBudgetConfig config, Scheduler clock) {
    Objects.requireNonNull(clock, "clock");
    return new RetryBudget(config, clock::nanoTime);
  }

  /**
   * Returns the settings.
   *
   * @return the settings
   */
  public RetryBudgetConfig config() {
    return config;
  }

  /** Counts one attempt that ended, whatever its result: it adds {@code ratio} to the allowance. */
  public void recordAttempt() {
    recorded.increment();
    lock.lock();
    try {
      attempts[bucket(clock.getAsLong())]++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks for one retry or hedge, and counts it when granted.
   *
   * @return {@code true} if granted; {@code false} if the budget is spent for now
   */
  public boolean tryAcquire() {
    boolean ok;
    lock.lock();
    try {
      int now = bucket(clock.getAsLong());
      ok = spentLocked() + 1 <= allowanceLocked();
      if (ok) {
        spent[now]++;
      }
    } finally {
      lock.unlock();
    }
    (ok ? granted : refused).increment();
    return ok;
  }

  /** Counts a hedge that started whatever the budget says (it was asked when the hedge was planned). */
  void charge() {
    granted.increment();
    lock.lock();
    try {
      spent[bucket(clock.getAsLong())]++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Tells whether a retry or hedge would be granted now, without counting one.
   *
   * @return {@code true} if {@link #tryAcquire()} would grant one now
   */
  public boolean hasRoom() {
    lock.lock();
    try {
      bucket(clock.getAsLong());
      return spentLocked() + 1 <= allowanceLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the budget's counts now, for metrics and logs.
   *
   * @return a snapshot
   */
  public Snapshot snapshot() {
    lock.lock();
    try {
      bucket(clock.getAsLong());
      long inWindow = 0;
      for (long a : attempts) {
        inWindow += a;
      }
      return new Snapshot(inWindow, spentLocked(), allowanceLocked(), recorded.sum(), granted.sum(),
          refused.sum());
    } finally {
      lock.unlock();
    }
  }

  /** Describes the state for the message of a refused retry. */
  String describe() {
    Snapshot s = snapshot();
    return s.spentInWindow() + " retries and hedges in the last " + config.window() + " against "
        + s.attemptsInWindow() + " attempts; ratio " + config.ratio() + ", floor "
        + config.minPerSecond() + "/s";
  }

  /** Advances the ring to the bucket of {@code now}, clearing the buckets that fell out; under the lock. */
  private int bucket(long now) {
    long index = Math.floorDiv(now - origin, bucketNanos);
    int slot = (int) Math.floorMod(index, BUCKETS);
    if (bucketOf[slot] != index) {
      for (int i = 0; i < BUCKETS; i++) {
        if (bucketOf[i] <= index - BUCKETS || bucketOf[i] > index) {
          bucketOf[i] = -1;
          attempts[i] = 0;
          spent[i] = 0;
        }
      }
      bucketOf[slot] = index;
      attempts[slot] = 0;
      spent[slot] = 0;
    }
    return slot;
  }

  private long spentLocked() {
    long sum = 0;
    for (long s : spent) {
      sum += s;
    }
    return sum;
  }

  private double allowanceLocked() {
    long sum = 0;
    for (long a : attempts) {
      sum += a;
    }
    return config.ratio() * sum + floor;
  }

  @Override
  public String toString() {
    return "RetryBudget[" + config + "]";
  }

  /**
   * The counts of a budget at one moment.
   *
   * @param attemptsInWindow the attempts recorded in the current window
   * @param spentInWindow the retries and hedges granted in the current window
   * @param allowance how many the window allows now: {@code ratio × attempts + floor}
   * @param attemptsTotal the attempts recorded since the budget was made
   * @param grantedTotal the retries and hedges granted since the budget was made
   * @param refusedTotal the retries and hedges refused since the budget was made
   */
  public record Snapshot(long attemptsInWindow, long spentInWindow, double allowance,
      long attemptsTotal, long grantedTotal, long refusedTotal) {}
}
