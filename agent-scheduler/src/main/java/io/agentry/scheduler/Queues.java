package io.agentry.scheduler;

import io.agentry.core.spi.TaskQueue;
import java.time.Duration;
import java.util.Objects;

/**
 * Queue disciplines: the order in which waiting tasks start. Pass one to
 * {@code AgentRuntime.builder().queue(...)}:
 *
 * {@snippet file="io/agentry/scheduler/SchedulingSnippetsTest.java" region="priority-aging"}
 *
 * <p>A queue only orders; the runtime bounds how many tasks wait ({@code queueCapacity}). When an agent
 * has room, the runtime takes the first task in the discipline's order that some agent with room can
 * run (a task whose required tags are all busy is skipped, not blocking the ones behind it). Tasks
 * that the discipline does not tell apart go first in, first out. Each call makes a new queue, which
 * belongs to one runtime (binding it to a second throws {@link IllegalStateException}); the runtime
 * calls it under its dispatch lock. Adding and removing a task cost O(1) or O(log n); taking one costs
 * as much as the tasks it skips. Per-key ordering ({@code Task.Builder.orderedByKey()}) holds with
 * every discipline: the runtime lets only the oldest task of a key into the queue.
 */
public final class Queues {
  private Queues() {}

  /**
   * First in, first out: the runtime's default.
   *
   * @return a new queue
   */
  public static TaskQueue fifo() {
    return new FifoQueue();
  }

  /**
   * Priority: the task with the highest {@link io.agentry.core.Task#priority() priority} first, first
   * in first out within a priority. Without aging a steady stream of higher-priority tasks can hold
   * lower ones back indefinitely; see {@link #priority(Duration)}.
   *
   * @return a new queue
   */
  public static TaskQueue priority() {
    return new BucketQueue.Priority();
  }

  /**
   * Priority with aging: a task's effective priority is its priority plus one for every full
   * {@code agingInterval} it has waited in the queue (on the runtime's clock); the highest effective
   * priority goes first, and among equal ones the task that entered the queue first.
   *
   * <p><b>Bound.</b> A task of priority p is never overtaken by a task of priority q that entered the
   * queue {@code (q - p) × agingInterval} or more after it. So if no task has a priority above P, a
   * task of priority p starts before every task that enters the queue {@code (P - p) × agingInterval}
   * or more after it, however many arrive: it waits at most for the tasks that entered before that
   * time (and only while they can start, as always). For example, with priorities 0 to 10 and an
   * interval of one second, a priority-0 task is overtaken by nothing that arrives more than ten
   * seconds after it.
   *
   * @param agingInterval the wait that raises the effective priority by one; positive
   * @return a new queue
   * @throws IllegalArgumentException if {@code agingInterval} is not positive
   * @throws NullPointerException if {@code agingInterval} is null
   */
  public static TaskQueue priority(Duration agingInterval) {
    Objects.requireNonNull(agingInterval, "agingInterval");
    if (agingInterval.isNegative() || agingInterval.isZero()) {
      throw new IllegalArgumentException("agingInterval must be positive, was " + agingInterval);
    }
    Duration capped = agingInterval.compareTo(Duration.ofDays(365 * 100)) > 0
        ? Duration.ofDays(365 * 100) : agingInterval;
    return new AgingPriorityQueue(capped);
  }

  /**
   * Fair share with the default settings: tasks are grouped by their routing
   * {@link io.agentry.core.Task#key() key}, and groups with tasks waiting take turns equally. See
   * {@link #fairShare(FairShareConfig)}.
   *
   * @return a new queue
   */
  public static TaskQueue fairShare() {
    return fairShare(FairShareConfig.ofDefaults());
  }

  /**
   * Fair share: weighted round-robin across fairness keys (tenants, for example). While several keys
   * have tasks waiting, each gets starts in proportion to its weight, interleaved (weights 3 and 1 give
   * a a b a a a b a ...: 75% and 25%); within a key, first in first out. Shares are counted in task
   * starts, not in agent time. A key with nothing startable sits its turn out without gaining credit,
   * and a key whose tasks have all gone starts afresh, so an idle tenant does not come back with a
   * burst.
   *
   * @param config how tasks are keyed and the weights
   * @return a new queue
   * @throws NullPointerException if {@code config} is null
   */
  public static TaskQueue fairShare(FairShareConfig config) {
    return new FairShareQueue(Objects.requireNonNull(config, "config"));
  }

  /**
   * Earliest deadline first: the task whose {@code deadline} comes first goes first; tasks without a
   * deadline go after all tasks with one, first in first out among themselves (as among equal
   * deadlines). A retried task keeps its deadline.
   *
   * @return a new queue
   */
  public static TaskQueue earliestDeadlineFirst() {
    return new BucketQueue.EarliestDeadlineFirst();
  }
}
