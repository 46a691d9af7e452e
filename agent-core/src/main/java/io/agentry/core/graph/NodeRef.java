package io.agentry.core.graph;

import java.util.Objects;

/**
 * A typed reference to one node of a {@link TaskGraph}, returned when the node is added. Use it to
 * declare dependencies, to read the node's result in a dependent
 * ({@link io.agentry.core.TaskContext#resultOf(NodeRef)}) and in the {@link GraphOutcome}.
 * Immutable; equal only to itself.
 *
 * @param <T> the node's result type
 */
public final class NodeRef<T> {
  private final Object owner;
  private final String id;
  private final int index;

  NodeRef(Object owner, String id, int index) {
    this.owner = owner;
    this.id = Objects.requireNonNull(id, "id");
    this.index = index;
  }

  /**
   * Returns the node's id, unique in its graph.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns the node's position in the order it was added (0 for the first).
   *
   * @return the index
   */
  public int index() {
    return index;
  }

  Object owner() {
    return owner;
  }

  @Override
  public String toString() {
    return "NodeRef[" + id + "]";
  }
}
