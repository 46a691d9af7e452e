package io.agentry.resilience;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Recent successful attempt durations per task name, for percentile hedging. Each name keeps two
 * log-scale histograms (eight buckets per power of two, so a value is known within 12.5%): the
 * current one and the previous one, swapped when the current holds {@code samples} values. Task names
 * are bounded by design (they tag metrics); past {@value #MAX_NAMES} names, the others share one
 * sample. Thread-safe.
 */
final class Latencies {
  static final int MAX_NAMES = 1024;
  private static final String OTHERS = "\u0000others";
  private static final int SUB_BITS = 3;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = (63 - SUB_BITS + 1) * SUB;

  private final double percentile;
  private final int samples;
  private final int minSamples;
  private final ConcurrentHashMap<String, Sample> byName = new ConcurrentHashMap<>();

  Latencies(double percentile, int samples, int minSamples) {
    this.percentile = percentile;
    this.samples = samples;
    this.minSamples = minSamples;
  }

  void record(String name, long nanos) {
    sample(name).record(Math.max(0, nanos));
  }

  /** Returns the percentile in nanoseconds, or -1 while the name has too few samples. */
  long percentile(String name) {
    Sample s = byName.get(name);
    if (s == null) {
      s = byName.get(OTHERS);
      if (s == null || byName.size() < MAX_NAMES) {
        return -1;
      }
    }
    return s.percentile();
  }

  private Sample sample(String name) {
    Sample s = byName.get(name);
    if (s != null) {
      return s;
    }
    if (byName.size() >= MAX_NAMES) {
      return byName.computeIfAbsent(OTHERS, k -> new Sample());
    }
    return byName.computeIfAbsent(name, k -> new Sample());
  }

  static int index(long nanos) {
    if (nanos < SUB) {
      return (int) nanos;
    }
    int msb = 63 - Long.numberOfLeadingZeros(nanos);
    int sub = (int) ((nanos >>> (msb - SUB_BITS)) & (SUB - 1));
    return (msb - SUB_BITS + 1) * SUB + sub;
  }

  /** The largest value that falls in a bucket. */
  static long upperBound(int index) {
    if (index < SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long mantissa = SUB + (index % SUB);
    long next = (mantissa + 1) << shift;
    return next < 0 ? Long.MAX_VALUE : next - 1;
  }

  private final class Sample {
    private final ReentrantLock lock = new ReentrantLock();
    private long[] current = new long[BUCKETS];
    private long[] previous = new long[BUCKETS];
    private int inCurrent;
    private int inPrevious;
    private long cached = -1;
    private boolean dirty;

    void record(long nanos) {
      lock.lock();
      try {
        if (inCurrent == samples) {
          long[] recycled = previous;
          java.util.Arrays.fill(recycled, 0);
          previous = current;
          inPrevious = inCurrent;
          current = recycled;
          inCurrent = 0;
        }
        current[index(nanos)]++;
        inCurrent++;
        dirty = true;
      } finally {
        lock.unlock();
      }
    }

    long percentile() {
      lock.lock();
      try {
        if (dirty) {
          dirty = false;
          cached = compute();
        }
        return cached;
      } finally {
        lock.unlock();
      }
    }

    private long compute() {
      long total = (long) inCurrent + inPrevious;
      if (total < minSamples) {
        return -1;
      }
      long rank = Math.max(1, (long) Math.ceil(percentile / 100 * total));
      long seen = 0;
      for (int i = 0; i < BUCKETS; i++) {
        seen += current[i] + previous[i];
        if (seen >= rank) {
          return upperBound(i);
        }
      }
      return upperBound(BUCKETS - 1);
    }
  }
}
