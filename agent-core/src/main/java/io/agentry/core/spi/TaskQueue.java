package io.agentry.core.spi;

import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The order in which waiting tasks are placed (a queue discipline). The default is FIFO.
 *
 * <p>The runtime bounds admission itself (the builder's {@code queueCapacity}); the queue only orders.
 * Every method is called under the runtime's dispatch lock, one call at a time, so an implementation
 * needs no synchronization; it must never block and should be fast. An instance belongs to one
 * runtime.
 */
public interface TaskQueue {

  /**
   * Called once when a runtime is built with this queue, before any other call: gives the runtime's
   * clock (for example, for aging or decay). The default does nothing. An implementation may throw
   * {@link IllegalStateException} if it is bound twice, since an instance belongs to one runtime.
   *
   * @param clock the runtime's scheduler; use its {@link Scheduler#nanoTime()} for time
   */
  default void bind(Scheduler clock) {}

  /**
   * Adds a waiting task: a new submission, or a task coming back for a retry.
   *
   * @param task the task
   */
  void add(QueuedTask task);

  /**
   * Removes and returns the first task, in this queue's order, that {@code startable} accepts. The
   * runtime calls this when an agent has room; {@code startable} tells whether some eligible agent
   * could start the task now.
   *
   * @param startable accepts the tasks that could start now
   * @return the task to place, or {@code null} when no waiting task is startable
   */
  @Nullable QueuedTask poll(Predicate<? super QueuedTask> startable);

  /**
   * Removes a task that left the queue without being polled (cancelled or timed out).
   *
   * @param task the task
   * @return {@code true} if it was in the queue
   */
  boolean remove(QueuedTask task);

  /**
   * Returns how many tasks wait in the queue.
   *
   * @return the size
   */
  int size();

  /**
   * Removes and returns every waiting task (used when the runtime closes).
   *
   * @return the tasks that were waiting, in queue order
   */
  java.util.List<QueuedTask> drain();
}
