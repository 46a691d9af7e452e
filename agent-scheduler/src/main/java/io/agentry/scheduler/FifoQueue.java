package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** First in, first out: one lane. */
final class FifoQueue extends BaseQueue {
  private final Lane lane = new Lane(null);

  @Override
  Lane.Node enqueue(QueuedTask task) {
    Lane.Node node = new Lane.Node(task, 0);
    lane.addLast(node);
    return node;
  }

  @Override
  Lane.@Nullable Node next(Predicate<? super QueuedTask> startable) {
    return lane.firstStartable(startable);
  }

  @Override
  void unlink(Lane.Node node) {
    Objects.requireNonNull(node.lane).unlink(node);
  }

  @Override
  public String toString() {
    return "Queues.fifo()";
  }
}
