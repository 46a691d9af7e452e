package io.agentry.core;

import org.jspecify.annotations.Nullable;

/**
 * Superclasses that put a hot field on a cache line of its own: a {@link Handoff}'s tail, which
 * producers swap, apart from its head, which the consumer moves. The JVM lays a superclass's fields before its subclass's, so fields declared in
 * a chain of these classes keep their order in memory, where fields of one class may be reordered.
 */
final class Padding {
  private Padding() {}

  /** 64 bytes (and the header's tail) before the first field of a subclass. */
  abstract static class Line {
    @SuppressWarnings("unused")
    private int p;
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
  }

  /** The tail of a {@link Handoff}, which producers swap. */
  abstract static class HandoffTail extends Line {
    volatile Handoff.@Nullable Node tail;
  }

  /** 64 bytes between a {@link Handoff}'s tail and its head. */
  abstract static class HandoffTailPad extends HandoffTail {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7;
  }
}
