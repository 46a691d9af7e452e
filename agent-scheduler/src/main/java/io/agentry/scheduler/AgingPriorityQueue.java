package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import java.time.Duration;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Priority with aging: a task's effective priority is its priority plus one for every full
 * {@code agingInterval} it has waited in the queue; the highest effective priority goes first, and
 * among equals the task that entered the queue first.
 *
 * <p>Lanes stay per (base) priority, in entry order, so within a lane the effective priority never
 * rises from head to tail; the discipline order is then a merge of the lanes by their heads, which
 * poll walks until {@code startable} accepts a task: O(b) per step for b distinct priorities waiting.
 */
final class AgingPriorityQueue extends BucketQueue.Priority {
  private final long intervalNanos;
  private final Duration interval;
  private Lane.@Nullable Node[] cursors = new Lane.Node[8];

  AgingPriorityQueue(Duration interval) {
    this.interval = interval;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  Lane.@Nullable Node next(Predicate<? super QueuedTask> startable) {
    int b = lanes.size();
    if (b == 1) {
      return lanes.firstEntry().getValue().firstStartable(startable);
    }
    if (cursors.length < b) {
      cursors = new Lane.Node[Math.max(b, 2 * cursors.length)];
    }
    Lane.@Nullable Node[] heads = cursors;
    int i = 0;
    for (Lane lane : lanes.values()) {
      heads[i++] = lane.head;
    }
    long now = nanoTime();
    try {
      while (true) {
        int best = -1;
        long bestPriority = 0;
        for (int k = 0; k < b; k++) {
          Lane.Node node = heads[k];
          if (node == null) {
            continue;
          }
          long priority = effective(node, now);
          if (best < 0 || priority > bestPriority
              || (priority == bestPriority && before(node, heads[best]))) {
            best = k;
            bestPriority = priority;
          }
        }
        if (best < 0) {
          return null;
        }
        Lane.Node node = heads[best];
        if (node != null && startable.test(node.task)) {
          return node;
        }
        heads[best] = node == null ? null : node.next;
      }
    } finally {
      java.util.Arrays.fill(heads, 0, b, null);
    }
  }

  private long effective(Lane.Node node, long now) {
    long waited = Math.max(now - node.task.enqueuedNanos(), 0);
    return -node.rank + waited / intervalNanos;
  }

  /** Among equal effective priorities, the task that entered the queue first (then submitted first). */
  private static boolean before(Lane.Node a, Lane.@Nullable Node b) {
    if (b == null) {
      return true;
    }
    int c = Long.compare(a.task.enqueuedNanos(), b.task.enqueuedNanos());
    return c != 0 ? c < 0 : a.task.sequence() < b.task.sequence();
  }

  @Override
  public String toString() {
    return "Queues.priority(agingInterval=" + interval + ")";
  }
}
