package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgingPriorityQueueTest extends TaskQueueContract {
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  @Override
  TaskQueue newQueue() {
    TaskQueue queue = Queues.priority(INTERVAL);
    queue.bind(clock);
    return queue;
  }

  /** While the clock stands still, nothing ages: the order is plain priority. */
  @Override
  Optional<Comparator<QueuedTask>> staticOrder() {
    return Optional.of(Comparator.comparingInt(t -> -t.task().priority()));
  }

  private FakeTask enqueued(String name, int priority) {
    return FakeTask.withPriority(name, priority).enqueuedAt(clock.nanoTime());
  }

  @Test
  void waitingRaisesTheEffectivePriorityByOnePerInterval() {
    TaskQueue queue = newQueue();
    FakeTask old = enqueued("old", 0);
    queue.add(old);
    clock.advance(INTERVAL.multipliedBy(2));
    FakeTask newer = enqueued("newer", 1);
    queue.add(newer);

    assertThat(queue.poll(ANY)).isSameAs(old);
  }

  @Test
  void lessThanAFullIntervalDoesNotAge() {
    TaskQueue queue = newQueue();
    FakeTask old = enqueued("old", 0);
    queue.add(old);
    clock.advance(INTERVAL.minusNanos(1));
    FakeTask newer = enqueued("newer", 1);
    queue.add(newer);

    assertThat(queue.poll(ANY)).isSameAs(newer);
  }

  @Test
  void equalEffectivePrioritiesGoToTheTaskThatWaitedLonger() {
    TaskQueue queue = newQueue();
    FakeTask old = enqueued("old", 0);
    queue.add(old);
    clock.advance(INTERVAL);
    FakeTask newer = enqueued("newer", 1);
    queue.add(newer);

    assertThat(queue.drain()).containsExactly(old, newer);
  }

  /**
   * The documented bound: with priorities at most P, a task of priority p starts before every task
   * that entered the queue (P - p) × agingInterval or more after it, however many arrive. Here three
   * priority-10 tasks arrive for every one that starts, so the queue grows without end, and a
   * priority-0 task would starve without aging.
   */
  @Test
  void aLowPriorityTaskStartsWithinTheBoundUnderAnEndlessStreamOfHighPriorityTasks() {
    TaskQueue queue = newQueue();
    int high = 10;
    int low = 0;
    Duration step = Duration.ofMillis(100);
    FakeTask starving = enqueued("low", low);
    queue.add(starving);
    long boundNanos = starving.enqueuedNanos() + (high - low) * INTERVAL.toNanos();
    int enteredBeforeBound = 1;
    List<QueuedTask> startedBefore = new ArrayList<>();
    QueuedTask started = null;

    for (int i = 0; i < 10_000 && started != starving; i++) {
      clock.advance(step);
      for (int k = 0; k < 3; k++) {
        FakeTask t = enqueued("high", high);
        queue.add(t);
        if (t.enqueuedNanos() < boundNanos) {
          enteredBeforeBound++;
        }
      }
      started = queue.poll(ANY);
      if (started != starving) {
        startedBefore.add(started);
      }
    }

    assertThat(started).as("the low-priority task started").isSameAs(starving);
    assertThat(startedBefore).allMatch(t -> t.enqueuedNanos() < boundNanos);
    assertThat(startedBefore.size()).isLessThan(enteredBeforeBound);
  }

  @Test
  void agingIntervalMustBePositive() {
    assertThatThrownBy(() -> Queues.priority(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agingInterval");
    assertThatThrownBy(() -> Queues.priority(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("agingInterval");
  }

  @Test
  void aBlockedOldTaskDoesNotHoldBackOthers() {
    TaskQueue queue = newQueue();
    FakeTask old = enqueued("old", 0);
    queue.add(old);
    clock.advance(INTERVAL.multipliedBy(5));
    FakeTask a = enqueued("a", 1);
    FakeTask b = enqueued("b", 2);
    queue.add(a);
    queue.add(b);

    assertThat(queue.poll(t -> t != old)).isSameAs(b);
    assertThat(queue.poll(ANY)).isSameAs(old);
    assertThat(queue.poll(ANY)).isSameAs(a);
  }
}
