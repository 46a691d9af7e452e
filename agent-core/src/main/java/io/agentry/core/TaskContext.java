package io.agentry.core;

import io.agentry.core.graph.NodeRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a running attempt knows about itself. The runtime creates one per attempt and passes it to
 * {@link TaskWork#run(TaskContext)}; users do not implement it.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public interface TaskContext {

  /**
   * Returns the task's id: the one given with {@link Task.Builder#id(String)}, or one the runtime made.
   *
   * @return the task id
   */
  String taskId();

  /**
   * Returns the task's name.
   *
   * @return the name given to {@link Task#of(String, TaskWork)}
   */
  String taskName();

  /**
   * Returns this attempt's number, starting at 1.
   *
   * @return the attempt number
   */
  int attempt();

  /**
   * Returns the id of the agent running this attempt.
   *
   * @return the agent id
   */
  String agent();

  /**
   * Returns the instant by which the task must end, if it has a deadline.
   *
   * @return the deadline, or empty when the task has none
   */
  Optional<Instant> deadline();

  /**
   * Tells whether this attempt has been cancelled or timed out; long work should stop when it is.
   *
   * @return {@code true} once the runtime no longer wants this attempt's result
   */
  boolean isCancelled();

  /**
   * Tells the runtime the attempt is alive. Needed only when the task has a heartbeat timeout: an
   * attempt that does not call this within that timeout is presumed stuck and timed out.
   */
  void heartbeat();

  /**
   * Returns the result of an upstream node, when this task is a node of a
   * {@link io.agentry.core.graph.TaskGraph}.
   *
   * @param upstream a node this node depends on
   * @param <U> the upstream's result type
   * @return the upstream's result
   * @throws IllegalStateException if this task is not a graph node
   * @throws IllegalArgumentException if {@code upstream} is not an upstream of this node
   * @throws io.agentry.core.graph.UpstreamFailedException if the upstream did not succeed (possible
   *     under {@link io.agentry.core.graph.FailurePolicy#CONTINUE_ALL})
   */
  <U extends @Nullable Object> U resultOf(NodeRef<U> upstream);

  /**
   * Splits work into shards that run in parallel across the runtime's agents, and waits for all of
   * them: one task per input, named {@code name}, with the shard's results returned in input order.
   * If a shard fails, the others are cancelled and this throws. If this attempt is cancelled (its
   * thread interrupted), the shards are cancelled too.
   *
   * <p>The calling attempt keeps its agent slot while it waits, so an agent that fans out needs a
   * capacity above 1, or other agents, for its shards to run. Shards are admitted without taking
   * room in the runtime's queue bound, have no required tags, and follow the runtime's policy.
   *
   * @param name the shards' task name
   * @param inputs one input per shard
   * @param shard what each shard runs
   * @param <I> the input type
   * @param <R> the shard result type
   * @return the shard results, in input order
   * @throws InterruptedException if this attempt is interrupted while waiting
   * @throws TaskFailedException if a shard failed or timed out; the cause is the shard's failure
   * @throws java.util.concurrent.CancellationException if a shard was cancelled
   * @throws RejectedTaskException if the runtime is closed
   */
  <I extends @Nullable Object, R extends @Nullable Object> List<R> fanOut(
      String name, List<? extends I> inputs, Shard<I, R> shard) throws InterruptedException;
}
