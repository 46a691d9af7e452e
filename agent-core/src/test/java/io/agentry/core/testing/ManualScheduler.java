package io.agentry.core.testing;

import io.agentry.core.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A scheduler for tests: time stands still until {@link #advance(Duration)} moves it, and due actions
 * then run on the calling thread, in time order. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Entry> due = new PriorityQueue<>();
  private final Instant epoch;
  private long nanos;
  private long seq;

  /** Creates a scheduler whose clock starts at 2026-01-01T00:00:00Z. */
  public ManualScheduler() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /**
   * Creates a scheduler whose clock starts at {@code epoch}.
   *
   * @param epoch the wall-clock time at nanoTime 0
   */
  public ManualScheduler(Instant epoch) {
    this.epoch = epoch;
  }

  @Override
  public long nanoTime() {
    lock.lock();
    try {
      return nanos;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Instant now() {
    return epoch.plusNanos(nanoTime());
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable action) {
    lock.lock();
    try {
      Entry e = new Entry(nanos + delay.toNanos(), seq++, action);
      due.add(e);
      return () -> {
        lock.lock();
        try {
          due.remove(e);
        } finally {
          lock.unlock();
        }
      };
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves time forward and runs every action that falls due, in order, on this thread.
   *
   * @param by how far to move
   */
  public void advance(Duration by) {
    long target;
    lock.lock();
    try {
      target = nanos + by.toNanos();
    } finally {
      lock.unlock();
    }
    while (true) {
      Entry next;
      lock.lock();
      try {
        next = due.peek();
        if (next == null || next.at > target) {
          nanos = target;
          return;
        }
        due.poll();
        nanos = Math.max(nanos, next.at);
      } finally {
        lock.unlock();
      }
      next.action.run();
    }
  }

  /**
   * Returns how many actions wait to fall due.
   *
   * @return the number of pending actions
   */
  public int pending() {
    lock.lock();
    try {
      return due.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the delays, from now, of the pending actions, soonest first.
   *
   * @return the delays
   */
  public List<Duration> pendingDelays() {
    lock.lock();
    try {
      List<Entry> sorted = new ArrayList<>(due);
      sorted.sort(null);
      List<Duration> out = new ArrayList<>();
      for (Entry e : sorted) {
        out.add(Duration.ofNanos(e.at - nanos));
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  private record Entry(long at, long seq, Runnable action) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
