package io.agentry.core;

import io.agentry.core.event.RuntimeEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * The runtime's events waiting for publication (D13): a linked queue with one producer at a time
 * (every {@link #add} is made under the dispatch lock) and one consumer at a time (every {@link #poll}
 * under the publish lock). With producers and consumers each serialized by their lock, a node is
 * linked with one release store and taken with one acquire load: no compare-and-set, and none of the
 * retries a {@link java.util.concurrent.ConcurrentLinkedQueue} makes when its consumer keeps up with
 * its producers (which made adding an event the runtime's single most costly step with metrics on).
 */
final class EventQueue {
  /**
   * A queued event. Most are {@link Pending}: the facts captured under the dispatch lock (times as
   * nanos, counts, the run), made into the public record only when published, outside that lock.
   * The record's {@code Instant}, {@code Duration}s and the task id's string (with a listener, about
   * a quarter of the work under the lock a task took) are then the publisher's work, which runs
   * beside the dispatcher instead of inside its one lock.
   */
  static class Node {
    private @Nullable RuntimeEvent event;
    @Nullable Node next; // written with NEXT (release), read with NEXT (acquire)
    /** A routine event goes only to listeners that want those (RuntimeListener.routineEvents). */
    boolean routine;

    Node(@Nullable RuntimeEvent event) {
      this.event = event;
    }

    /** The event; for a pending one, made now from what was captured. */
    RuntimeEvent event(Dispatcher rt) {
      return java.util.Objects.requireNonNull(event);
    }

    void clear() {
      event = null;
    }
  }

  /** An event whose record is made at publication; see {@link Node}. */
  abstract static class Pending extends Node {
    Pending() {
      super(null);
    }

    @Override
    abstract RuntimeEvent event(Dispatcher rt);
  }

  private static final VarHandle NEXT =
      Handles.field(MethodHandles.lookup(), Node.class, "next", Node.class);

  /** The last node; producer side, guarded by the dispatch lock. */
  private Node tail;
  /** The node before the first event; consumer side, guarded by the publish lock. */
  private Node head;

  EventQueue() {
    Node stub = new Node(null);
    tail = stub;
    head = stub;
  }

  /** Appends a queued event (a {@link Pending} one, usually); the caller holds the dispatch lock. */
  void add(Node n) {
    NEXT.setRelease(tail, n);
    tail = n;
  }

  /** Removes the oldest event, or returns null; the caller holds the publish lock. */
  @Nullable RuntimeEvent poll(Dispatcher rt) {
    Node n = (Node) NEXT.getAcquire(head);
    if (n == null) {
      return null;
    }
    RuntimeEvent event = n.event(rt);
    polledRoutine = n.routine;
    n.clear(); // n is the new stub: let the event go
    head = n;
    return event;
  }

  /** Whether the event the last {@link #poll} returned is routine; under the publish lock. */
  boolean polledRoutine() {
    return polledRoutine;
  }

  private boolean polledRoutine; // consumer side, guarded by the publish lock
}
