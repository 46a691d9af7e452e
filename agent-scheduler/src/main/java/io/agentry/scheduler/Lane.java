package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A FIFO of waiting tasks: a doubly linked list, so that adding at the tail and removing any node are
 * O(1). Queues keep one or more lanes and find a task's node through an identity map.
 */
final class Lane {
  /** One waiting task in a lane. */
  static final class Node {
    final QueuedTask task;
    /** The lane's bucket key (priority, deadline) or group, read by the owning queue. */
    final long rank;
    @Nullable Lane lane;
    @Nullable Node prev;
    @Nullable Node next;

    Node(QueuedTask task, long rank) {
      this.task = task;
      this.rank = rank;
    }
  }

  /** What the owning queue attaches to the lane (its bucket key or group). */
  final @Nullable Object owner;
  @Nullable Node head;
  @Nullable Node tail;
  int size;

  Lane(@Nullable Object owner) {
    this.owner = owner;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void addLast(Node node) {
    node.lane = this;
    node.prev = tail;
    node.next = null;
    if (tail == null) {
      head = node;
    } else {
      tail.next = node;
    }
    tail = node;
    size++;
  }

  void unlink(Node node) {
    Node p = node.prev;
    Node n = node.next;
    if (p == null) {
      head = n;
    } else {
      p.next = n;
    }
    if (n == null) {
      tail = p;
    } else {
      n.prev = p;
    }
    node.prev = null;
    node.next = null;
    node.lane = null;
    size--;
  }

  /** The first node, in lane order, whose task {@code startable} accepts; null if none. */
  @Nullable Node firstStartable(Predicate<? super QueuedTask> startable) {
    for (Node node = head; node != null; node = node.next) {
      if (startable.test(node.task)) {
        return node;
      }
    }
    return null;
  }
}
