package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.util.Comparator;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EarliestDeadlineFirstQueueTest extends TaskQueueContract {

  @Override
  TaskQueue newQueue() {
    TaskQueue queue = Queues.earliestDeadlineFirst();
    queue.bind(clock);
    return queue;
  }

  @Override
  Optional<Comparator<QueuedTask>> staticOrder() {
    return Optional.of(Comparator.comparingLong(QueuedTask::deadlineNanos));
  }

  @Test
  void earliestDeadlineGoesFirst() {
    TaskQueue queue = newQueue();
    FakeTask late = FakeTask.withDeadline("late", 3_000);
    FakeTask soon = FakeTask.withDeadline("soon", 1_000);
    FakeTask middle = FakeTask.withDeadline("middle", 2_000);
    queue.add(late);
    queue.add(soon);
    queue.add(middle);

    assertThat(queue.drain()).containsExactly(soon, middle, late);
  }

  @Test
  void tasksWithoutADeadlineGoAfterAllWithOneFifoAmongThemselves() {
    TaskQueue queue = newQueue();
    FakeTask none1 = FakeTask.named("none1");
    FakeTask far = FakeTask.withDeadline("far", Long.MAX_VALUE - 1);
    FakeTask none2 = FakeTask.named("none2");
    FakeTask past = FakeTask.withDeadline("past", -5);
    queue.add(none1);
    queue.add(far);
    queue.add(none2);
    queue.add(past);

    assertThat(queue.drain()).containsExactly(past, far, none1, none2);
  }

  @Test
  void equalDeadlinesGoFirstInFirstOut() {
    TaskQueue queue = newQueue();
    FakeTask a = FakeTask.withDeadline("a", 500);
    FakeTask b = FakeTask.withDeadline("b", 500);
    FakeTask c = FakeTask.withDeadline("c", 500);
    queue.add(a);
    queue.add(b);
    queue.add(c);

    assertThat(queue.drain()).containsExactly(a, b, c);
  }

  @Test
  void ignoresPriority() {
    TaskQueue queue = newQueue();
    FakeTask high = FakeTask.withPriority("high", 100);
    FakeTask due = FakeTask.withDeadline("due", 10);
    queue.add(high);
    queue.add(due);

    assertThat(queue.drain()).containsExactly(due, high);
  }
}
