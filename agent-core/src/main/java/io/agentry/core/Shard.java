package io.agentry.core;

import org.jspecify.annotations.Nullable;

/**
 * The work of one shard of a {@link TaskContext#fanOut fan-out}: what an agent runs for one input.
 *
 * @param <I> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Shard<I extends @Nullable Object, R extends @Nullable Object> {

  /**
   * Runs the shard for one input.
   *
   * @param input the input of this shard
   * @param ctx the shard's own task context
   * @return the shard's result
   * @throws Exception when the shard fails
   */
  R run(I input, TaskContext ctx) throws Exception;
}
