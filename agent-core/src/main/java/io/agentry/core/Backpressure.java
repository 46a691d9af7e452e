package io.agentry.core;

/** What {@code submit} does when the runtime's queue is full. */
public enum Backpressure {
  /** The submitting thread waits until the queue has room (the default). */
  BLOCK,
  /** {@code submit} throws {@link RejectedTaskException} at once. */
  REJECT
}
