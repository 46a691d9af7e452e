package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.util.Comparator;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FifoQueueTest extends TaskQueueContract {

  @Override
  TaskQueue newQueue() {
    TaskQueue queue = Queues.fifo();
    queue.bind(clock);
    return queue;
  }

  @Override
  Optional<Comparator<QueuedTask>> staticOrder() {
    return Optional.of((a, b) -> 0);
  }

  @Test
  void ignoresPriorityAndDeadline() {
    TaskQueue queue = newQueue();
    FakeTask low = FakeTask.withPriority("low", -5);
    FakeTask high = FakeTask.withPriority("high", 5);
    FakeTask urgent = FakeTask.withDeadline("urgent", 1);
    queue.add(low);
    queue.add(high);
    queue.add(urgent);

    assertThat(queue.drain()).containsExactly(low, high, urgent);
  }
}
