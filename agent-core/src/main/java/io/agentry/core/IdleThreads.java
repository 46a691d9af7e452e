package io.agentry.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Attempt threads with nothing to run, parked until a launch needs a thread (default executor only;
 * see docs/decisions.md, D17). Waking a parked virtual thread costs a fraction of starting a new one,
 * which allocates the thread, registers it and grows its stack; attempt threads used to end as soon
 * as the ready queue was empty, and a stream of short tasks started thousands of threads a second.
 *
 * <p>A lock-free stack (the most recently parked thread is woken first: its stack is warm). At most
 * {@code max} threads park; others end. {@link #close} wakes them all to end, and from then on
 * nothing parks.
 */
final class IdleThreads {
  private static final int WAITING = 0;
  private static final int WORK = 1;
  private static final int CLOSED = 2;

  private static final class Waiter {
    final Thread thread = Thread.currentThread();
    volatile int state = WAITING;
    @Nullable Waiter next;
  }

  private final AtomicReference<@Nullable Waiter> top = new AtomicReference<>();
  private final AtomicInteger parked = new AtomicInteger();
  private final int max;
  private volatile boolean closed;

  IdleThreads(int max) {
    this.max = max;
  }

  /**
   * Parks the calling thread until {@link #wakeOne} gives it work or {@link #close} ends the pool.
   *
   * @return true if woken for work (the waker counted this thread as starting); false if the thread
   *     should end: the pool is full or closed
   */
  boolean await() {
    if (closed) {
      return false;
    }
    if (parked.incrementAndGet() > max) {
      parked.decrementAndGet();
      return false;
    }
    Waiter w = new Waiter();
    Waiter t;
    do {
      t = top.get();
      w.next = t;
    } while (!top.compareAndSet(t, w));
    if (closed) {
      wakeAll(); // close() may have emptied the stack before this push: do it again, this one too
    }
    Thread.interrupted(); // an interrupt aimed at an attempt that has ended must not end the park
    int s;
    while ((s = w.state) == WAITING) {
      LockSupport.park(this);
      Thread.interrupted();
    }
    return s == WORK;
  }

  /**
   * Wakes one parked thread for work.
   *
   * @return false if none is parked (the caller starts a thread instead)
   */
  boolean wakeOne() {
    Waiter w;
    while ((w = pop()) != null) {
      parked.decrementAndGet();
      w.state = WORK;
      LockSupport.unpark(w.thread);
      return true;
    }
    return false;
  }

  private @Nullable Waiter pop() {
    Waiter t;
    do {
      t = top.get();
      if (t == null) {
        return null;
      }
    } while (!top.compareAndSet(t, t.next));
    t.next = null;
    return t;
  }

  /** How many threads are parked (or about to park); for tests. */
  int parkedCount() {
    return parked.get();
  }

  /** Wakes every parked thread to end; no thread parks after this. */
  void close() {
    closed = true;
    wakeAll();
  }

  private void wakeAll() {
    Waiter w;
    while ((w = pop()) != null) {
      parked.decrementAndGet();
      w.state = CLOSED;
      LockSupport.unpark(w.thread);
    }
  }
}
