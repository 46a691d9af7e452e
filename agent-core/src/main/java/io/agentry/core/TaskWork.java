package io.agentry.core;

import org.jspecify.annotations.Nullable;

/**
 * The body of a {@link Task}: what an agent runs for one attempt.
 *
 * <p>The work may throw anything; a throw ends the attempt as failed, and the runtime's
 * {@link io.agentry.core.spi.ExecutionPolicy} decides whether to retry. Work that blocks should answer
 * interrupts (or poll {@link TaskContext#isCancelled()}): the runtime interrupts an attempt that is
 * cancelled or timed out.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TaskWork<T extends @Nullable Object> {

  /**
   * Runs one attempt of the task.
   *
   * @param ctx the attempt's context: task id, attempt number, agent, deadline, cancellation
   * @return the result of the task
   * @throws Exception when the attempt fails
   */
  T run(TaskContext ctx) throws Exception;
}
