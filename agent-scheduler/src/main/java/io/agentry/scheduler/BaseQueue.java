package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.Scheduler;
import io.agentry.core.spi.TaskQueue;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What every queue of this module shares: binding once, and the identity index from a waiting task to
 * its node, which makes {@link #remove} O(1) (plus the discipline's own bucket bookkeeping).
 */
abstract class BaseQueue implements TaskQueue {
  private static final Predicate<QueuedTask> ANY = task -> true;

  private volatile @Nullable Scheduler clock;
  private final Map<QueuedTask, Lane.Node> index = new IdentityHashMap<>();

  @Override
  public final void bind(Scheduler clock) {
    Objects.requireNonNull(clock, "clock");
    if (this.clock != null) {
      throw new IllegalStateException(this + " is already bound to a runtime; a queue belongs to one"
          + " runtime, so make a new one with Queues for each runtime");
    }
    this.clock = clock;
  }

  final long nanoTime() {
    Scheduler c = clock;
    return c == null ? System.nanoTime() : c.nanoTime();
  }

  @Override
  public final void add(QueuedTask task) {
    Objects.requireNonNull(task, "task");
    if (index.containsKey(task)) {
      throw new IllegalStateException("task " + task.taskId() + " is already queued");
    }
    index.put(task, enqueue(task));
  }

  @Override
  public final @Nullable QueuedTask poll(Predicate<? super QueuedTask> startable) {
    if (index.isEmpty()) {
      return null;
    }
    Lane.Node node = next(startable);
    if (node == null) {
      return null;
    }
    index.remove(node.task);
    unlink(node);
    return node.task;
  }

  @Override
  public final boolean remove(QueuedTask task) {
    Lane.Node node = index.remove(task);
    if (node == null) {
      return false;
    }
    unlink(node);
    return true;
  }

  @Override
  public final int size() {
    return index.size();
  }

  @Override
  public final List<QueuedTask> drain() {
    List<QueuedTask> all = new ArrayList<>(index.size());
    QueuedTask task;
    while ((task = poll(ANY)) != null) {
      all.add(task);
    }
    return all;
  }

  /** Puts the task in its lane and returns its node. */
  abstract Lane.Node enqueue(QueuedTask task);

  /** Finds, without removing it, the first node in discipline order that {@code startable} accepts. */
  abstract Lane.@Nullable Node next(Predicate<? super QueuedTask> startable);

  /** Takes the node out of its lane (and the lane out of the discipline when it empties). */
  abstract void unlink(Lane.Node node);
}
