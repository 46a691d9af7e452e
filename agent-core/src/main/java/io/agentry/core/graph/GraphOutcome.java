package io.agentry.core.graph;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How a graph ended: its status, every node's outcome (in the order nodes were added) and, when
 * compensation ran, each compensation's outcome. Immutable.
 */
public final class GraphOutcome {

  /** How a whole graph ended. */
  public enum Status {
    /** Every node succeeded. */
    SUCCEEDED,
    /** At least one node failed (under any failure policy). */
    FAILED,
    /** The graph was cancelled before it ended otherwise. */
    CANCELLED
  }

  private final TaskGraph graph;
  private final Status status;
  /** One outcome per node, in node order; made on first use when the runtime gave a source. */
  private volatile @Nullable List<NodeOutcome> nodes;
  /** Where the node outcomes come from until they are made; null once they are. */
  private volatile @Nullable Supplier<List<NodeOutcome>> source;
  /** Made on first {@link #nodes()}: a run that only looks at the status or a node by its ref needs no map. */
  private volatile @Nullable Map<String, NodeOutcome> byId;
  private final List<CompensationOutcome> compensations;
  private final Duration duration;

  /**
   * Creates an outcome; the runtime does this.
   *
   * @param graph the graph
   * @param status how it ended
   * @param nodes one outcome per node, in node order
   * @param compensations the compensations that ran, in the order they ran
   * @param duration from the start of the graph to its end
   * @throws IllegalArgumentException if there is not one outcome per node
   */
  public GraphOutcome(TaskGraph graph, Status status, List<NodeOutcome> nodes,
      List<CompensationOutcome> compensations, Duration duration) {
    this.graph = Objects.requireNonNull(graph, "graph");
    this.status = Objects.requireNonNull(status, "status");
    List<NodeOutcome> copy = List.copyOf(nodes);
    if (copy.size() != graph.size()) {
      throw new IllegalArgumentException("expected " + graph.size() + " node outcomes, got " + nodes.size());
    }
    this.nodes = copy;
    this.compensations = List.copyOf(compensations);
    this.duration = Objects.requireNonNull(duration, "duration");
  }

  /**
   * The runtime's outcome: the node outcomes are made on first use, from what the run recorded (a
   * caller that only looks at the status, as most do for a graph that succeeded, makes none of its
   * thousands of records). Reached through {@code io.agentry.core.internal.GraphAccess}.
   */
  GraphOutcome(TaskGraph graph, Status status, Supplier<List<NodeOutcome>> nodes,
      List<CompensationOutcome> compensations, Duration duration) {
    this.graph = graph;
    this.status = status;
    this.source = nodes;
    this.compensations = List.copyOf(compensations);
    this.duration = duration;
  }

  /**
   * The node outcomes, made now if the runtime left them to first use. Threads that race here may
   * each make them: from the same finished run, the lists are equal, and any of them will do (no
   * lock: a virtual thread must not be pinned while the run's own lock is taken).
   */
  private List<NodeOutcome> list() {
    List<NodeOutcome> l = nodes;
    if (l != null) {
      return l;
    }
    Supplier<List<NodeOutcome>> from = source;
    if (from == null) { // another thread made them: it wrote nodes before it cleared source
      return Objects.requireNonNull(nodes);
    }
    List<NodeOutcome> made = List.copyOf(from.get());
    if (made.size() != graph.size()) {
      throw new IllegalStateException("expected " + graph.size() + " node outcomes, got "
          + made.size());
    }
    nodes = made;
    source = null; // lets the run go
    return made;
  }

  /**
   * Returns the graph that ran.
   *
   * @return the graph
   */
  public TaskGraph graph() {
    return graph;
  }

  /**
   * Returns how the graph ended.
   *
   * @return the status
   */
  public Status status() {
    return status;
  }

  /**
   * Returns every node's outcome by node id, in the order nodes were added.
   *
   * @return an immutable map
   */
  public Map<String, NodeOutcome> nodes() {
    Map<String, NodeOutcome> m = byId;
    if (m == null) {
      Map<String, NodeOutcome> map = new LinkedHashMap<>();
      for (NodeOutcome o : list()) {
        map.put(o.id(), o);
      }
      m = Collections.unmodifiableMap(map);
      byId = m; // racing threads build equal maps; any of them will do
    }
    return m;
  }

  /**
   * Returns one node's outcome.
   *
   * @param node a node of the graph
   * @return its outcome
   * @throws IllegalArgumentException if the node is not of this graph
   */
  public NodeOutcome node(NodeRef<?> node) {
    graph.task(node); // checks membership
    return list().get(node.index());
  }

  /**
   * Returns a node's result.
   *
   * @param node a node of the graph
   * @param <T> its result type
   * @return the result
   * @throws IllegalStateException if the node did not succeed
   * @throws IllegalArgumentException if the node is not of this graph
   */
  @SuppressWarnings("unchecked")
  public <T> T result(NodeRef<T> node) {
    NodeOutcome o = node(node);
    if (o.status() != NodeStatus.SUCCEEDED) {
      throw new IllegalStateException("node '" + node.id() + "' has no result: it ended " + o.status()
          + (o.cause() == null ? "" : " (" + o.cause() + ")"));
    }
    return (T) o.result();
  }

  /**
   * Counts nodes by status.
   *
   * @return the count per status, every status present
   */
  public Map<NodeStatus, Integer> counts() {
    Map<NodeStatus, Integer> counts = new EnumMap<>(NodeStatus.class);
    for (NodeStatus s : NodeStatus.values()) {
      counts.put(s, 0);
    }
    for (NodeOutcome o : list()) {
      counts.merge(o.status(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Returns the ids of the nodes that ended with a status.
   *
   * @param status the status
   * @return the node ids, in node order
   */
  public List<String> nodesWith(NodeStatus status) {
    List<String> ids = new ArrayList<>();
    for (NodeOutcome o : list()) {
      if (o.status() == status) {
        ids.add(o.id());
      }
    }
    return ids;
  }

  /**
   * Returns the compensations that ran, in the order they ran.
   *
   * @return an immutable list, empty when compensation did not run
   */
  public List<CompensationOutcome> compensations() {
    return compensations;
  }

  /**
   * Returns the time from the graph's start to its end (compensations included).
   *
   * @return the duration
   */
  public Duration duration() {
    return duration;
  }

  /**
   * Renders the graph as Graphviz DOT text, each node filled by its status.
   *
   * @return the DOT text
   */
  public String toDot() {
    return GraphText.dot(graph, this);
  }

  /**
   * Renders the graph as a Mermaid flowchart, each node styled by its status.
   *
   * @return the Mermaid text
   */
  public String toMermaid() {
    return GraphText.mermaid(graph, this);
  }

  @Override
  public String toString() {
    return "GraphOutcome[" + graph.name() + ", " + status + ", " + counts() + "]";
  }
}
