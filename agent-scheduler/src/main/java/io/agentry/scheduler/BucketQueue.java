package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Tasks in FIFO lanes, one per rank, lanes in ascending rank: the order is (rank, then queue entry).
 * Add and remove cost O(log b) for b distinct ranks waiting, plus O(1); poll scans lanes in rank
 * order, and each lane in entry order, until {@code startable} accepts a task, so it costs nothing
 * more than the tasks it skips. A heap could not be scanned in order this cheaply.
 */
abstract class BucketQueue extends BaseQueue {
  final TreeMap<Long, Lane> lanes = new TreeMap<>();

  /** The rank of a task: lower goes first. */
  abstract long rank(QueuedTask task);

  @Override
  final Lane.Node enqueue(QueuedTask task) {
    long rank = rank(task);
    Lane.Node node = new Lane.Node(task, rank);
    lanes.computeIfAbsent(rank, Lane::new).addLast(node);
    return node;
  }

  @Override
  Lane.@Nullable Node next(Predicate<? super QueuedTask> startable) {
    for (Lane lane : lanes.values()) {
      Lane.Node node = lane.firstStartable(startable);
      if (node != null) {
        return node;
      }
    }
    return null;
  }

  @Override
  final void unlink(Lane.Node node) {
    Lane lane = Objects.requireNonNull(node.lane);
    lane.unlink(node);
    if (lane.isEmpty()) {
      lanes.remove(node.rank);
    }
  }

  /** Highest priority first, FIFO within a priority. */
  static class Priority extends BucketQueue {
    @Override
    final long rank(QueuedTask task) {
      return -(long) task.task().priority();
    }

    @Override
    public String toString() {
      return "Queues.priority()";
    }
  }

  /** Earliest deadline first; tasks without a deadline last; FIFO among equal deadlines. */
  static final class EarliestDeadlineFirst extends BucketQueue {
    @Override
    long rank(QueuedTask task) {
      return task.deadlineNanos();
    }

    @Override
    public String toString() {
      return "Queues.earliestDeadlineFirst()";
    }
  }
}
