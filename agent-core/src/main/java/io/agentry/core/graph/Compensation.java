package io.agentry.core.graph;

/**
 * Undoes what a node did (a saga step), given the node's result. Runs as a task on the runtime's
 * agents, with the node's required tags and resources.
 *
 * @param <T> the node's result type
 */
@FunctionalInterface
public interface Compensation<T> {

  /**
   * Undoes the node's effect.
   *
   * @param result what the node returned
   * @throws Exception when the compensation fails; it is recorded, and the others still run
   */
  void compensate(T result) throws Exception;
}
