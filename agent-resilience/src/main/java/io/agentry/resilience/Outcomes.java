package io.agentry.resilience;

import java.util.Arrays;

/**
 * The recent outcomes of one agent's attempts, for its failure rate: the last {@code n}, or those of
 * the last stretch of time (in ten slices). Not thread-safe: the circuit's lock guards it.
 */
abstract sealed class Outcomes {

  static Outcomes of(SlidingWindow window) {
    return switch (window) {
      case SlidingWindow.Count c -> new ByCount(c.size());
      case SlidingWindow.Time t -> new ByTime(t.length().toNanos());
    };
  }

  abstract void record(boolean failed, long now);

  abstract int attempts(long now);

  abstract int failures(long now);

  abstract void clear();

  /** A ring of the last {@code size} outcomes. */
  static final class ByCount extends Outcomes {
    private final boolean[] failed;
    private int next;
    private int size;
    private int failures;

    ByCount(int size) {
      this.failed = new boolean[size];
    }

    @Override
    void record(boolean failure, long now) {
      if (size == failed.length) {
        if (failed[next]) {
          failures--;
        }
      } else {
        size++;
      }
      failed[next] = failure;
      if (failure) {
        failures++;
      }
      next = (next + 1) % failed.length;
    }

    @Override
    int attempts(long now) {
      return size;
    }

    @Override
    int failures(long now) {
      return failures;
    }

    @Override
    void clear() {
      Arrays.fill(failed, false);
      next = 0;
      size = 0;
      failures = 0;
    }
  }

  /** Ten slices of the window's length; a slice is cleared when time moves past the window. */
  static final class ByTime extends Outcomes {
    private static final int SLICES = 10;
    private final long sliceNanos;
    private final long[] sliceOf = new long[SLICES];
    private final int[] attempts = new int[SLICES];
    private final int[] failures = new int[SLICES];

    ByTime(long windowNanos) {
      this.sliceNanos = Math.max(1, windowNanos / SLICES);
      Arrays.fill(sliceOf, Long.MIN_VALUE);
    }

    @Override
    void record(boolean failed, long now) {
      int s = advance(now);
      attempts[s]++;
      if (failed) {
        failures[s]++;
      }
    }

    @Override
    int attempts(long now) {
      advance(now);
      int sum = 0;
      for (int a : attempts) {
        sum += a;
      }
      return sum;
    }

    @Override
    int failures(long now) {
      advance(now);
      int sum = 0;
      for (int f : failures) {
        sum += f;
      }
      return sum;
    }

    @Override
    void clear() {
      Arrays.fill(sliceOf, Long.MIN_VALUE);
      Arrays.fill(attempts, 0);
      Arrays.fill(failures, 0);
    }

    private int advance(long now) {
      long index = Math.floorDiv(now, sliceNanos);
      int slot = (int) Math.floorMod(index, SLICES);
      if (sliceOf[slot] != index) {
        for (int i = 0; i < SLICES; i++) {
          if (sliceOf[i] != Long.MIN_VALUE && (sliceOf[i] <= index - SLICES || sliceOf[i] > index)) {
            sliceOf[i] = Long.MIN_VALUE;
            attempts[i] = 0;
            failures[i] = 0;
          }
        }
        sliceOf[slot] = index;
        attempts[slot] = 0;
        failures[slot] = 0;
      }
      return slot;
    }
  }
}
