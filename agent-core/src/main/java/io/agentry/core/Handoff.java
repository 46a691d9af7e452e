package io.agentry.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * An unbounded queue many threads add to and one thread at a time takes from (the holder of the
 * dispatch lock): how submits and attempt ends reach the dispatcher without waiting for its lock.
 *
 * <p>Dmitry Vyukov's multi-producer single-consumer queue, made intrusive: the elements are the
 * nodes (they extend {@link Node}), so {@link #add} allocates nothing and is one atomic swap of the
 * tail, where {@link java.util.concurrent.ConcurrentLinkedQueue} allocated a node and walked a
 * lagging tail (about a quarter of the dispatch benchmark's samples). The element taken last stays
 * the head (the queue's dummy node) until the next one is taken, so an element may be added to one
 * such queue only once in its life; runs and attempts are.
 *
 * <p>An add is two steps: swap the tail, then link the old tail to the new node. {@link #poll} waits
 * for the link of an add half done, so it never misses an add that returned before it.
 *
 * @param <E> the element type
 */
final class Handoff<E extends Handoff.Node> extends Padding.HandoffTailPad {
  /** What an element of a {@link Handoff} extends: the link to the next element. */
  abstract static class Node {
    @SuppressWarnings("unused") // through NEXT
    private volatile @Nullable Node handoffNext;
  }

  private static final class Stub extends Node {}

  @SuppressWarnings("unused")
  private long r0, r1, r2, r3, r4, r5, r6, r7;

  private static final VarHandle TAIL =
      Handles.field(MethodHandles.lookup(), Padding.HandoffTail.class, "tail", Node.class);
  private static final VarHandle HEAD =
      Handles.field(MethodHandles.lookup(), Handoff.class, "head", Node.class);
  private static final VarHandle NEXT =
      Handles.field(MethodHandles.lookup(), Node.class, "handoffNext", Node.class);

  /** The node taken last (a stub at first): the next element is its successor. Written by the consumer. */
  @SuppressWarnings("FieldMayBeFinal")
  private Node head;

  Handoff() {
    Node stub = new Stub();
    tail = stub;
    head = stub;
  }

  /**
   * Adds an element; any thread.
   *
   * @param element never added to such a queue before
   */
  void add(E element) {
    NEXT.setRelease(element, (Node) null);
    Node prev = (Node) TAIL.getAndSet((Padding.HandoffTail) this, element);
    NEXT.setRelease(prev, (Node) element);
  }

  /** Whether every add begun so far was taken; any thread. */
  /**
   * Adds {@code count} elements in their order with one atomic swap: they are linked to each other
   * first (plain stores, published by the swap and the release store that links them in).
   */
  void addAll(E[] elements, int count) {
    if (count == 0) {
      return;
    }
    for (int k = 0; k < count - 1; k++) {
      NEXT.set(elements[k], (Node) elements[k + 1]);
    }
    E last = elements[count - 1];
    NEXT.setRelease(last, (Node) null);
    Node prev = (Node) TAIL.getAndSet((Padding.HandoffTail) this, last);
    NEXT.setRelease(prev, (Node) elements[0]);
  }

  boolean isEmpty() {
    return tail == (Node) HEAD.getAcquire(this);
  }

  /**
   * Takes the oldest element, or returns null when the queue is empty; one thread at a time (the
   * callers hold the dispatch lock, which orders them). When an add is half done (its tail swapped,
   * its link not yet written) it waits for the link: every add that returned before this call is
   * seen, which a section under the lock relies on (a cancel must find a submit that happened before
   * it, not miss it behind another thread's unfinished add).
   */
  @SuppressWarnings("unchecked")
  @Nullable E poll() {
    Node h = head;
    Node next;
    int spins = 0;
    while ((next = (Node) NEXT.getAcquire(h)) == null) {
      if (tail == h) {
        return null;
      }
      // the adder is between its two steps: a few instructions, unless its thread was descheduled
      if (++spins < 64) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
    HEAD.setRelease(this, next);
    NEXT.setRelease(h, (Node) null); // no dead chain for the GC to keep alive from an old node
    return (E) next;
  }
}
