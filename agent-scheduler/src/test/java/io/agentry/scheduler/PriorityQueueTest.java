package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.util.Comparator;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PriorityQueueTest extends TaskQueueContract {

  @Override
  TaskQueue newQueue() {
    TaskQueue queue = Queues.priority();
    queue.bind(clock);
    return queue;
  }

  @Override
  Optional<Comparator<QueuedTask>> staticOrder() {
    return Optional.of(Comparator.comparingInt(t -> -t.task().priority()));
  }

  @Test
  void higherPriorityGoesFirstAndFifoWithinAPriority() {
    TaskQueue queue = newQueue();
    FakeTask low1 = FakeTask.withPriority("low1", 1);
    FakeTask high1 = FakeTask.withPriority("high1", 9);
    FakeTask low2 = FakeTask.withPriority("low2", 1);
    FakeTask negative = FakeTask.withPriority("negative", -3);
    FakeTask high2 = FakeTask.withPriority("high2", 9);
    for (FakeTask t : new FakeTask[] {low1, high1, low2, negative, high2}) {
      queue.add(t);
    }

    assertThat(queue.drain()).containsExactly(high1, high2, low1, low2, negative);
  }

  @Test
  void extremePrioritiesKeepTheirOrder() {
    TaskQueue queue = newQueue();
    FakeTask min = FakeTask.withPriority("min", Integer.MIN_VALUE);
    FakeTask max = FakeTask.withPriority("max", Integer.MAX_VALUE);
    FakeTask zero = FakeTask.named("zero");
    queue.add(min);
    queue.add(zero);
    queue.add(max);

    assertThat(queue.drain()).containsExactly(max, zero, min);
  }

  @Test
  void aBlockedHighPriorityTaskDoesNotHoldBackLowerOnes() {
    TaskQueue queue = newQueue();
    FakeTask high = FakeTask.withPriority("high", 9);
    FakeTask low = FakeTask.withPriority("low", 0);
    queue.add(high);
    queue.add(low);

    assertThat(queue.poll(t -> t != high)).isSameAs(low);
    assertThat(queue.poll(ANY)).isSameAs(high);
  }

  @Test
  void withoutAgingAStreamOfHigherPriorityHoldsALowTaskBack() {
    TaskQueue queue = newQueue();
    FakeTask low = FakeTask.withPriority("low", 0);
    queue.add(low);

    for (int i = 0; i < 1_000; i++) {
      queue.add(FakeTask.withPriority("high" + i, 1));
      assertThat(queue.poll(ANY)).isNotSameAs(low);
    }
  }
}
