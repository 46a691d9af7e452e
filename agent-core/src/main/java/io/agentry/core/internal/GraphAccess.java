package io.agentry.core.internal;

import io.agentry.core.Task;
import io.agentry.core.graph.CompensationOutcome;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeOutcome;
import io.agentry.core.graph.TaskGraph;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Lets the runtime ({@code io.agentry.core}) read a {@link TaskGraph}'s adjacency as
 * arrays of node indexes, and make a {@link GraphOutcome} whose node outcomes are built on first
 * use, without either being public. {@code TaskGraph} installs the implementation when its class is
 * initialized (the pattern of the JDK's {@code SharedSecrets}).
 */
public final class GraphAccess {
  /** What {@code io.agentry.core.graph} gives the runtime. */
  public interface Graphs {
    /**
     * The indexes of a node's dependents.
     *
     * @param graph the graph
     * @param node a node index
     * @return the graph's own array: never to be changed
     */
    int[] downstreams(TaskGraph graph, int node);

    /**
     * A node's task.
     *
     * @param graph the graph
     * @param node a node index
     * @return its task
     */
    Task<?> task(TaskGraph graph, int node);

    /**
     * How many nodes a node depends on.
     *
     * @param graph the graph
     * @param node a node index
     * @return the count
     */
    int upstreamCount(TaskGraph graph, int node);

    /**
     * An outcome whose node outcomes come from {@code nodes} on first use.
     *
     * @param graph the graph
     * @param status how it ended
     * @param nodes makes one outcome per node, in node order, once
     * @param compensations the compensations that ran
     * @param duration the graph's duration
     * @return the outcome
     */
    GraphOutcome outcome(TaskGraph graph, GraphOutcome.Status status,
        Supplier<List<NodeOutcome>> nodes, List<CompensationOutcome> compensations,
        Duration duration);
  }

  private static final java.util.concurrent.atomic.AtomicReference<@Nullable Graphs> GRAPHS =
      new java.util.concurrent.atomic.AtomicReference<>();

  private GraphAccess() {}

  /**
   * Installs the implementation; {@code TaskGraph}'s class initializer calls it.
   *
   * @param implementation the implementation
   * @throws IllegalStateException if one is installed already
   */
  public static void install(Graphs implementation) {
    if (!GRAPHS.compareAndSet(null, java.util.Objects.requireNonNull(implementation))) {
      throw new IllegalStateException("GraphAccess is installed already");
    }
  }

  /**
   * Returns the implementation.
   *
   * @return it; installed by the time any {@code TaskGraph} exists
   */
  public static Graphs graphs() {
    Graphs g = GRAPHS.get();
    if (g == null) {
      try {
        Class.forName(TaskGraph.class.getName(), true, TaskGraph.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      g = GRAPHS.get();
      if (g == null) {
        throw new IllegalStateException("TaskGraph did not install GraphAccess");
      }
    }
    return g;
  }
}
