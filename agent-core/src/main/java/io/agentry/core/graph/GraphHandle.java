package io.agentry.core.graph;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The caller's view of one execution of a {@link TaskGraph}. Completes exactly once, with a
 * {@link GraphOutcome} whatever happened (a failed graph is an outcome, not an exception).
 * Thread-safe; the runtime implements it.
 */
public interface GraphHandle {

  /**
   * Returns the graph being executed.
   *
   * @return the graph
   */
  TaskGraph graph();

  /**
   * Returns a future of the outcome. Cancelling it cancels the graph.
   *
   * @return the future
   */
  CompletableFuture<GraphOutcome> toCompletableFuture();

  /**
   * Waits for the graph to end.
   *
   * @return the outcome
   */
  GraphOutcome join();

  /**
   * Waits for the graph to end, interruptibly.
   *
   * @return the outcome
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  GraphOutcome await() throws InterruptedException;

  /**
   * Returns the outcome if the graph has ended.
   *
   * @return the outcome, or empty while it runs
   */
  Optional<GraphOutcome> outcome();

  /**
   * Cancels the graph: running nodes are cancelled (their attempts interrupted), nodes not started
   * end {@link NodeStatus#CANCELLED}. Compensation, if enabled, then runs for the nodes that
   * succeeded.
   *
   * @return {@code true} if this call cancelled the graph, {@code false} if it had already ended
   */
  boolean cancel();
}
