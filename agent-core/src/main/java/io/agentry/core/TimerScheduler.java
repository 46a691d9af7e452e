package io.agentry.core;

import io.agentry.core.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default scheduler: one daemon platform thread serving every timeout, backoff and heartbeat. */
final class TimerScheduler implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(TimerScheduler.class);

  private final ScheduledThreadPoolExecutor executor;
  private volatile @Nullable Thread thread;

  TimerScheduler(String runtimeName) {
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "agentry-timer-" + runtimeName);
      t.setDaemon(true);
      thread = t;
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable action) {
    if (executor.isShutdown()) {
      return () -> {};
    }
    ScheduledFuture<?> f;
    try {
      f = executor.schedule(() -> {
        try {
          action.run();
        } catch (RuntimeException e) {
          LOG.warn("agentry timer action failed", e);
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return () -> {}; // shut down with the runtime: nothing is left to time
    }
    return () -> f.cancel(false);
  }

  /** Tells whether the calling thread is this scheduler's timer thread. */
  boolean isTimerThread() {
    return Thread.currentThread() == thread;
  }

  void shutdown() {
    executor.shutdownNow();
  }
}
