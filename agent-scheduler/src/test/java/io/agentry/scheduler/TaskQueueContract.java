package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Task;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import io.agentry.core.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of the {@link TaskQueue} contract: every queue's test extends it. It checks
 * what the runtime relies on: poll returns the first startable task and only that one, nothing is
 * lost or returned twice, remove and drain are exact, tasks the discipline does not tell apart come
 * out first in, first out, and binding happens once. A discipline with a static order also checks,
 * against a model, that every poll returns the first startable task in that order.
 */
abstract class TaskQueueContract {

  /** Makes a new queue, bound to {@link #clock} (which tests may advance). */
  abstract TaskQueue newQueue();

  /** The clock the queue made by {@link #newQueue()} is bound to; it stands still unless advanced. */
  final ManualScheduler clock = new ManualScheduler();

  /**
   * The discipline's order for tasks that wait with the clock standing still, ties broken by queue
   * entry; empty when the order is not a fixed function of the tasks (fair share).
   */
  Optional<Comparator<QueuedTask>> staticOrder() {
    return Optional.empty();
  }

  /** A task the discipline does not tell apart from other plain tasks. */
  static FakeTask plain(String name) {
    return FakeTask.named(name);
  }

  static final Predicate<QueuedTask> ANY = t -> true;

  @Test
  void pollOfAnEmptyQueueReturnsNull() {
    TaskQueue queue = newQueue();

    assertThat(queue.poll(ANY)).isNull();
    assertThat(queue.size()).isZero();
  }

  @Test
  void plainTasksComeOutFirstInFirstOut() {
    TaskQueue queue = newQueue();
    List<FakeTask> tasks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      FakeTask task = plain("t" + i);
      tasks.add(task);
      queue.add(task);
    }

    List<QueuedTask> polled = new ArrayList<>();
    QueuedTask next;
    while ((next = queue.poll(ANY)) != null) {
      polled.add(next);
    }

    assertThat(polled).containsExactlyElementsOf(tasks);
  }

  @Test
  void sizeCountsTheWaitingTasks() {
    TaskQueue queue = newQueue();
    FakeTask b = plain("b");
    queue.add(plain("a"));
    queue.add(b);
    queue.add(plain("c"));
    queue.poll(ANY);
    queue.remove(b);

    assertThat(queue.size()).isEqualTo(1);
  }

  @Test
  void pollSkipsTasksThatCannotStartAndKeepsThemInOrder() {
    TaskQueue queue = newQueue();
    FakeTask blocked1 = plain("blocked1");
    FakeTask blocked2 = plain("blocked2");
    FakeTask free = plain("free");
    queue.add(blocked1);
    queue.add(blocked2);
    queue.add(free);

    assertThat(queue.poll(t -> t == free)).isSameAs(free);
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.poll(ANY)).isSameAs(blocked1);
    assertThat(queue.poll(ANY)).isSameAs(blocked2);
  }

  @Test
  void pollWithNothingStartableReturnsNullAndChangesNothing() {
    TaskQueue queue = newQueue();
    FakeTask a = plain("a");
    FakeTask b = plain("b");
    queue.add(a);
    queue.add(b);

    assertThat(queue.poll(t -> false)).isNull();
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.poll(ANY)).isSameAs(a);
  }

  @Test
  void removeTakesATaskOutOnce() {
    TaskQueue queue = newQueue();
    FakeTask a = plain("a");
    FakeTask b = plain("b");
    queue.add(a);
    queue.add(b);

    assertThat(queue.remove(a)).isTrue();
    assertThat(queue.remove(a)).isFalse();
    assertThat(queue.poll(ANY)).isSameAs(b);
    assertThat(queue.poll(ANY)).isNull();
  }

  @Test
  void removeOfATaskNeverAddedReturnsFalse() {
    TaskQueue queue = newQueue();
    queue.add(plain("a"));

    assertThat(queue.remove(plain("other"))).isFalse();
    assertThat(queue.size()).isEqualTo(1);
  }

  @Test
  void aPolledTaskCanComeBackForARetry() {
    TaskQueue queue = newQueue();
    FakeTask a = plain("a");
    queue.add(a);
    QueuedTask polled = queue.poll(ANY);
    a.attempts = 1;

    queue.add(a);

    assertThat(polled).isSameAs(a);
    assertThat(queue.poll(ANY)).isSameAs(a);
  }

  @Test
  void addingATaskThatIsAlreadyQueuedThrows() {
    TaskQueue queue = newQueue();
    FakeTask a = plain("a");
    queue.add(a);

    assertThatThrownBy(() -> queue.add(a)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already queued");
  }

  @Test
  void drainReturnsEveryWaitingTaskInOrderAndEmptiesTheQueue() {
    TaskQueue queue = newQueue();
    FakeTask a = plain("a");
    FakeTask b = plain("b");
    FakeTask c = plain("c");
    queue.add(a);
    queue.add(b);
    queue.add(c);
    queue.remove(b);

    assertThat(queue.drain()).containsExactly(a, c);
    assertThat(queue.size()).isZero();
    assertThat(queue.poll(ANY)).isNull();
  }

  @Test
  void bindingTwiceThrows() {
    TaskQueue queue = newQueue();

    assertThatThrownBy(() -> queue.bind(new ManualScheduler()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already bound");
  }

  /**
   * Under any mix of tasks and operations, the queue behaves as a set of waiting tasks: poll returns a
   * waiting task that the predicate accepts (the first in the discipline's order, when it has a static
   * one), or null exactly when none is accepted; remove and size are exact; drain returns the rest.
   */
  // A fixed seed keeps the build deterministic; change it locally to explore other samples.
  @Property(tries = 300, seed = "20261126")
  void behavesAsTheModelOfWaitingTasks(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 200) int operations) {
    SplittableRandom random = new SplittableRandom(seed);
    TaskQueue queue = newQueue();
    Map<QueuedTask, Long> waiting = new LinkedHashMap<>(); // task -> entry number
    List<FakeTask> known = new ArrayList<>();
    long entries = 0;
    Optional<Comparator<QueuedTask>> order = staticOrder();
    for (int op = 0; op < operations; op++) {
      int kind = random.nextInt(10);
      if (kind < 5 || known.isEmpty()) {
        FakeTask task = randomTask(random, known.size());
        known.add(task);
        queue.add(task);
        waiting.put(task, entries++);
      } else if (kind < 8) {
        Map<QueuedTask, Boolean> accepted = new IdentityHashMap<>();
        for (FakeTask task : known) {
          accepted.put(task, random.nextInt(3) != 0);
        }
        QueuedTask polled = queue.poll(t -> accepted.getOrDefault(t, false));
        List<QueuedTask> candidates = waiting.keySet().stream()
            .filter(t -> accepted.getOrDefault(t, false)).toList();
        if (candidates.isEmpty()) {
          assertThat(polled).isNull();
        } else {
          assertThat(polled).isNotNull();
          assertThat(candidates).contains(polled);
          if (order.isPresent()) {
            Comparator<QueuedTask> byOrder = order.get().thenComparing(waiting::get);
            assertThat(polled).isSameAs(candidates.stream().min(byOrder).orElseThrow());
          }
          waiting.remove(polled);
        }
      } else if (kind < 9) {
        FakeTask task = known.get(random.nextInt(known.size()));
        boolean present = waiting.remove(task) != null;
        assertThat(queue.remove(task)).isEqualTo(present);
      } else {
        FakeTask task = known.get(random.nextInt(known.size()));
        if (!waiting.containsKey(task)) {
          task.attempts++;
          queue.add(task);
          waiting.put(task, entries++);
        }
      }
      assertThat(queue.size()).isEqualTo(waiting.size());
    }
    List<QueuedTask> drained = queue.drain();
    assertThat(drained).containsExactlyInAnyOrderElementsOf(waiting.keySet());
    if (order.isPresent()) {
      assertThat(drained).isSortedAccordingTo(order.get().thenComparing(waiting::get));
    }
    assertThat(queue.size()).isZero();
  }

  /** Tasks of a few priorities, deadlines and keys, so that every discipline sees ties and order. */
  static FakeTask randomTask(SplittableRandom random, int n) {
    Task.Builder<@Nullable Object> b = Task.builder("t" + n, ctx -> null)
        .priority(random.nextInt(4) - 1);
    if (random.nextBoolean()) {
      b.key("k" + random.nextInt(3));
    }
    FakeTask task = new FakeTask(b.build());
    if (random.nextInt(3) != 0) {
      task.deadlineNanos = random.nextLong(5);
    }
    return task;
  }
}
