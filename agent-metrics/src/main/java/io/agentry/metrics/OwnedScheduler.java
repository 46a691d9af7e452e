package io.agentry.metrics;

import io.agentry.core.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler a {@link HealthMonitor} makes when given none: one daemon platform thread, stopped by
 * {@link #shutdown()}. The runtime does not expose its own timer, so the monitor cannot share it.
 */
final class OwnedScheduler implements Scheduler {
  private final ScheduledThreadPoolExecutor executor;

  OwnedScheduler(String threadName) {
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
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
    ScheduledFuture<?> f;
    try {
      f = executor.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return () -> {}; // shut down: nothing is left to run
    }
    return () -> f.cancel(false);
  }

  void shutdown() {
    executor.shutdownNow();
  }
}
