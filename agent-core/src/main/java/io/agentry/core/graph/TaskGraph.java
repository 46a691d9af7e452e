package io.agentry.core.graph;

import io.agentry.core.Task;
import io.agentry.core.TaskWork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An immutable DAG of tasks: each node is a {@link Task}, and a node starts when all its upstreams
 * have ended as the {@link FailurePolicy} requires. Run it with
 * {@link io.agentry.core.AgentRuntime#execute(TaskGraph)}; every node runs on the runtime's agents,
 * queues and policies like a single task. A graph may be executed many times.
 *
 * <pre>{@code
 * TaskGraph.Builder b = TaskGraph.builder("etl");
 * NodeRef<List<String>> extract = b.node("extract", ctx -> readLines());
 * NodeRef<Integer> count = b.node("count", ctx -> ctx.resultOf(extract).size());
 * b.dependsOn(count, extract);
 * TaskGraph graph = b.build();
 * }</pre>
 *
 * <p>{@link Builder#build()} checks the graph once, in time linear in nodes plus edges: it rejects an
 * empty graph, an unknown dependency and a cycle (naming the nodes of one). Thread-safe.
 */
public final class TaskGraph {
  private final String name;
  private final FailurePolicy failurePolicy;
  private final boolean compensates;
  private final List<NodeRef<?>> nodes;
  private final Task<?>[] tasks;
  private final @Nullable Compensation<?>[] compensations;
  private final List<List<NodeRef<?>>> upstreams;
  private final List<List<NodeRef<?>>> downstreams;
  private final int[] topological;
  private final int edges;
  private final Object owner;
  /** Each node's dependents by index, and how many nodes each depends on: what a run walks. */
  private final int[][] out;
  private final int[] inDegree;

  static {
    io.agentry.core.internal.GraphAccess.install(new io.agentry.core.internal.GraphAccess.Graphs() {
      @Override
      public int[] downstreams(TaskGraph graph, int node) {
        return graph.out[node];
      }

      @Override
      public Task<?> task(TaskGraph graph, int node) {
        return graph.tasks[node];
      }

      @Override
      public int upstreamCount(TaskGraph graph, int node) {
        return graph.inDegree[node];
      }

      @Override
      public GraphOutcome outcome(TaskGraph graph, GraphOutcome.Status status,
          java.util.function.Supplier<List<NodeOutcome>> nodes,
          List<CompensationOutcome> compensations, java.time.Duration duration) {
        return new GraphOutcome(graph, status, nodes, compensations, duration);
      }
    });
  }

  private TaskGraph(Builder b, List<List<NodeRef<?>>> ups, List<List<NodeRef<?>>> downs,
      int[] topological, int edges, int[][] out, int[] inDegree) {
    this.out = out;
    this.inDegree = inDegree;
    this.name = b.name;
    this.failurePolicy = b.failurePolicy;
    this.compensates = b.compensates;
    this.nodes = List.copyOf(b.nodes);
    this.tasks = b.tasks.toArray(new Task<?>[0]);
    this.compensations = b.compensations.toArray(new Compensation<?>[0]);
    this.upstreams = ups;
    this.downstreams = downs;
    this.topological = topological;
    this.edges = edges;
    this.owner = b.owner;
  }

  /**
   * Starts a builder.
   *
   * @param name the graph's name (logs, exports); not blank
   * @return a new builder
   * @throws IllegalArgumentException if the name is blank
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the graph's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns what the graph does when a node fails.
   *
   * @return the failure policy, {@link FailurePolicy#FAIL_FAST} by default
   */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /**
   * Tells whether the compensations of succeeded nodes run when the graph fails.
   *
   * @return {@code true} if enabled with {@link Builder#compensateOnFailure()}
   */
  public boolean compensates() {
    return compensates;
  }

  /**
   * Returns the nodes in the order they were added.
   *
   * @return an immutable list
   */
  public List<NodeRef<?>> nodes() {
    return nodes;
  }

  /**
   * Returns the number of nodes.
   *
   * @return the size
   */
  public int size() {
    return nodes.size();
  }

  /**
   * Returns the number of dependency edges.
   *
   * @return the edge count
   */
  public int edgeCount() {
    return edges;
  }

  /**
   * Returns the task a node runs.
   *
   * @param node a node of this graph
   * @return its task
   * @throws IllegalArgumentException if the node is not of this graph
   */
  public Task<?> task(NodeRef<?> node) {
    return tasks[check(node)];
  }

  /**
   * Returns the nodes a node depends on.
   *
   * @param node a node of this graph
   * @return an immutable list
   * @throws IllegalArgumentException if the node is not of this graph
   */
  public List<NodeRef<?>> upstreams(NodeRef<?> node) {
    return upstreams.get(check(node));
  }

  /**
   * Returns the nodes that depend on a node.
   *
   * @param node a node of this graph
   * @return an immutable list
   * @throws IllegalArgumentException if the node is not of this graph
   */
  public List<NodeRef<?>> downstreams(NodeRef<?> node) {
    return downstreams.get(check(node));
  }

  /**
   * Returns a node's compensation, if it has one.
   *
   * @param node a node of this graph
   * @return the compensation, or empty
   * @throws IllegalArgumentException if the node is not of this graph
   */
  public Optional<Compensation<?>> compensation(NodeRef<?> node) {
    return Optional.ofNullable(compensations[check(node)]);
  }

  /**
   * Returns the nodes in a topological order: every node comes after all its upstreams.
   *
   * @return an immutable list
   */
  public List<NodeRef<?>> topologicalOrder() {
    List<NodeRef<?>> order = new ArrayList<>(topological.length);
    for (int i : topological) {
      order.add(nodes.get(i));
    }
    return Collections.unmodifiableList(order);
  }

  /**
   * Finds a node by id.
   *
   * @param id the node id
   * @return the node, or empty
   */
  public Optional<NodeRef<?>> node(String id) {
    for (NodeRef<?> n : nodes) {
      if (n.id().equals(id)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /**
   * Tells whether a reference is a node of this graph.
   *
   * @param node the reference
   * @return {@code true} if it was added to the builder this graph came from, before it was built
   */
  public boolean contains(NodeRef<?> node) {
    return node.owner() == owner && node.index() < nodes.size();
  }

  /**
   * Renders the graph as Graphviz DOT text.
   *
   * @return the DOT text
   */
  public String toDot() {
    return GraphText.dot(this, null);
  }

  /**
   * Renders the graph as a Mermaid flowchart.
   *
   * @return the Mermaid text
   */
  public String toMermaid() {
    return GraphText.mermaid(this, null);
  }

  int[] topologicalIndices() {
    return topological;
  }

  private int check(NodeRef<?> node) {
    Objects.requireNonNull(node, "node");
    if (!contains(node)) {
      throw new IllegalArgumentException("node '" + node.id() + "' is not a node of graph '" + name + "'");
    }
    return node.index();
  }

  @Override
  public String toString() {
    return "TaskGraph[" + name + ", " + nodes.size() + " nodes, " + edges + " edges]";
  }

  /**
   * Builds a {@link TaskGraph}. Nodes are added first or in any order; dependencies may name nodes by
   * reference or by id (ids are resolved at {@link #build()}). Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final Object owner = new Object();
    private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;
    private boolean compensates;
    private final List<NodeRef<?>> nodes = new ArrayList<>();
    private final List<Task<?>> tasks = new ArrayList<>();
    private final List<@Nullable Compensation<?>> compensations = new ArrayList<>();
    private final Map<String, NodeRef<?>> byId = new HashMap<>();
    /** Edges by index, as (upstream, dependent) pairs in one growing array: no object per edge. */
    private int[] edges = new int[64];
    private int edgeInts;
    private final List<String[]> namedEdges = new ArrayList<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("graph name must not be blank, was '" + name + "'");
      }
      this.name = name;
    }

    /**
     * Sets what the graph does when a node fails. Default {@link FailurePolicy#FAIL_FAST}.
     *
     * @param value the policy
     * @return this builder
     */
    public Builder failurePolicy(FailurePolicy value) {
      this.failurePolicy = Objects.requireNonNull(value, "failurePolicy");
      return this;
    }

    /**
     * Turns on compensation (saga): when the graph fails, the compensations of the nodes that
     * succeeded run one at a time in reverse topological order (a node's after those of its
     * dependents). Best effort: each is attempted, and each failure is recorded in the outcome
     * without stopping the others. Default off.
     *
     * @return this builder
     */
    public Builder compensateOnFailure() {
      this.compensates = true;
      return this;
    }

    /**
     * Adds a node whose task is named after the node.
     *
     * @param id the node id, unique in the graph; not blank
     * @param work what the node runs
     * @param <T> the result type
     * @return the node's reference
     * @throws IllegalArgumentException if the id is blank or already used
     */
    public <T> NodeRef<T> node(String id, TaskWork<T> work) {
      return node(id, Task.of(checkId(id), work));
    }

    /**
     * Adds a node that runs a task with its own settings (tags, resources, timeouts, policy). Give
     * many similar nodes one task name: task names tag metrics.
     *
     * @param id the node id, unique in the graph; not blank
     * @param task the task
     * @param <T> the result type
     * @return the node's reference
     * @throws IllegalArgumentException if the id is blank or already used, or the task has a
     *     user-given id (node tasks are submitted many times)
     */
    public <T> NodeRef<T> node(String id, Task<T> task) {
      checkId(id);
      Objects.requireNonNull(task, "task");
      if (task.id().isPresent()) {
        throw new IllegalArgumentException("node '" + id + "': a node's task must not have a user-given id ('"
            + task.id().get() + "'); the graph may run many times");
      }
      if (byId.containsKey(id)) {
        throw new IllegalArgumentException("duplicate node id '" + id + "' in graph '" + name + "'");
      }
      NodeRef<T> ref = new NodeRef<>(owner, id, nodes.size());
      nodes.add(ref);
      tasks.add(task);
      compensations.add(null);
      byId.put(id, ref);
      return ref;
    }

    /**
     * Declares that {@code node} starts only after each of {@code upstreams}.
     *
     * @param node the dependent node
     * @param upstreams the nodes it waits for
     * @return this builder
     * @throws IllegalArgumentException if a reference comes from another builder
     */
    public Builder dependsOn(NodeRef<?> node, NodeRef<?>... upstreams) {
      int to = own(node);
      for (NodeRef<?> up : Objects.requireNonNull(upstreams, "upstreams")) {
        addEdge(own(up), to);
      }
      return this;
    }

    private void addEdge(int from, int to) {
      if (edgeInts == edges.length) {
        edges = Arrays.copyOf(edges, edgeInts * 2);
      }
      edges[edgeInts++] = from;
      edges[edgeInts++] = to;
    }

    /**
     * Declares dependencies by node id; ids are resolved at {@link #build()}.
     *
     * @param nodeId the dependent node's id
     * @param upstreamIds the ids of the nodes it waits for
     * @return this builder
     */
    public Builder dependsOn(String nodeId, String... upstreamIds) {
      Objects.requireNonNull(nodeId, "nodeId");
      for (String up : Objects.requireNonNull(upstreamIds, "upstreamIds")) {
        namedEdges.add(new String[] {Objects.requireNonNull(up, "upstreamId"), nodeId});
      }
      return this;
    }

    /**
     * Gives a node a compensating action, run if the graph fails after the node succeeded and
     * compensation is on ({@link #compensateOnFailure()}).
     *
     * @param node the node
     * @param action undoes the node's effect given its result
     * @param <T> the node's result type
     * @return this builder
     * @throws IllegalArgumentException if the reference comes from another builder
     */
    public <T> Builder compensate(NodeRef<T> node, Compensation<? super T> action) {
      compensations.set(own(node), Objects.requireNonNull(action, "action"));
      return this;
    }

    /**
     * Checks and builds the graph, in time linear in nodes plus edges. The builder is unchanged.
     *
     * @return the graph
     * @throws IllegalStateException if the graph is empty, a dependency names an unknown node, or
     *     the dependencies form a cycle (the message names the nodes of one cycle)
     */
    public TaskGraph build() {
      int n = nodes.size();
      if (n == 0) {
        throw new IllegalStateException("graph '" + name + "' has no nodes");
      }
      int[] all = Arrays.copyOf(edges, edgeInts + 2 * namedEdges.size()); // the builder is unchanged
      int allInts = edgeInts;
      for (String[] e : namedEdges) {
        NodeRef<?> up = byId.get(e[0]);
        NodeRef<?> to = byId.get(e[1]);
        if (to == null) {
          throw new IllegalStateException("graph '" + name + "': dependsOn names unknown node '" + e[1] + "'");
        }
        if (up == null) {
          throw new IllegalStateException("graph '" + name + "': node '" + e[1]
              + "' depends on unknown node '" + e[0] + "'");
        }
        all[allInts++] = up.index();
        all[allInts++] = to.index();
      }
      // adjacency in compressed arrays, duplicates dropped
      int[] outDegree = new int[n];
      int[] inDegree = new int[n];
      for (int k = 0; k < allInts; k += 2) {
        outDegree[all[k]]++;
      }
      int[][] out = new int[n][];
      for (int i = 0; i < n; i++) {
        out[i] = new int[outDegree[i]];
      }
      int[] fill = new int[n];
      for (int k = 0; k < allInts; k += 2) {
        int from = all[k];
        int to = all[k + 1];
        int[] targets = out[from];
        boolean dup = false;
        for (int j = 0; j < fill[from]; j++) {
          if (targets[j] == to) {
            dup = true;
            break;
          }
        }
        if (!dup) {
          targets[fill[from]++] = to;
          inDegree[to]++;
        }
      }
      int edgeCount = 0;
      for (int i = 0; i < n; i++) {
        if (fill[i] != out[i].length) {
          out[i] = Arrays.copyOf(out[i], fill[i]);
        }
        edgeCount += fill[i];
      }
      // Kahn: topological order, and a cycle if some node never reaches in-degree zero
      int[] remaining = inDegree.clone();
      int[] order = new int[n];
      int head = 0;
      int tail = 0;
      for (int i = 0; i < n; i++) {
        if (remaining[i] == 0) {
          order[tail++] = i;
        }
      }
      while (head < tail) {
        int v = order[head++];
        for (int w : out[v]) {
          if (--remaining[w] == 0) {
            order[tail++] = w;
          }
        }
      }
      if (tail < n) {
        throw new IllegalStateException("graph '" + name + "' has a cycle: " + describeCycle(out, remaining));
      }
      List<List<NodeRef<?>>> ups = new ArrayList<>(n);
      List<List<NodeRef<?>>> downs = new ArrayList<>(n);
      NodeRef<?>[][] upArrays = new NodeRef<?>[n][];
      int[] upFill = new int[n];
      for (int i = 0; i < n; i++) {
        upArrays[i] = new NodeRef<?>[inDegree[i]];
      }
      for (int i = 0; i < n; i++) {
        NodeRef<?> self = nodes.get(i);
        NodeRef<?>[] d = new NodeRef<?>[out[i].length];
        for (int k = 0; k < d.length; k++) {
          int w = out[i][k];
          d[k] = nodes.get(w);
          upArrays[w][upFill[w]++] = self;
        }
        downs.add(Refs.of(d));
      }
      for (int i = 0; i < n; i++) {
        ups.add(Refs.of(upArrays[i]));
      }
      return new TaskGraph(this, Collections.unmodifiableList(ups),
          Collections.unmodifiableList(downs), order, edgeCount, out, inDegree);
    }

    /**
     * Names the nodes of one cycle among the nodes Kahn's algorithm could not order. Each of them has
     * an unordered upstream, so walking upstream from any of them must come back to a node already
     * seen: that loop is a cycle. Only runs when the graph is rejected.
     */
    private String describeCycle(int[][] out, int[] remaining) {
      int n = remaining.length;
      int[] upstreamOnCycle = new int[n];
      Arrays.fill(upstreamOnCycle, -1);
      for (int u = 0; u < n; u++) {
        if (remaining[u] > 0) {
          for (int w : out[u]) {
            if (remaining[w] > 0) {
              upstreamOnCycle[w] = u;
            }
          }
        }
      }
      int start = 0;
      while (remaining[start] == 0) {
        start++;
      }
      int[] seenAt = new int[n];
      Arrays.fill(seenAt, -1);
      List<Integer> path = new ArrayList<>();
      int v = start;
      while (seenAt[v] < 0) {
        seenAt[v] = path.size();
        path.add(v);
        v = upstreamOnCycle[v];
      }
      List<Integer> loop = new ArrayList<>(path.subList(seenAt[v], path.size()));
      Collections.reverse(loop); // the walk went upstream; name it downstream
      StringBuilder sb = new StringBuilder();
      for (int k : loop) {
        sb.append(nodes.get(k).id()).append(" -> ");
      }
      return sb.append(nodes.get(loop.get(0)).id()).toString();
    }

    private int own(NodeRef<?> node) {
      Objects.requireNonNull(node, "node");
      if (node.owner() != owner) {
        throw new IllegalArgumentException("node '" + node.id() + "' belongs to another graph builder");
      }
      return node.index();
    }

    private static String checkId(String id) {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("node id must not be blank, was '" + id + "'");
      }
      return id;
    }
  }

  /** An immutable list over an array it owns: one object a node's upstreams or downstreams. */
  private static final class Refs extends java.util.AbstractList<NodeRef<?>>
      implements java.util.RandomAccess {
    private static final List<NodeRef<?>> EMPTY = List.of();
    private final NodeRef<?>[] refs;

    private Refs(NodeRef<?>[] refs) {
      this.refs = refs;
    }

    static List<NodeRef<?>> of(NodeRef<?>[] refs) {
      return refs.length == 0 ? EMPTY : new Refs(refs);
    }

    @Override
    public NodeRef<?> get(int index) {
      return refs[index];
    }

    @Override
    public int size() {
      return refs.length;
    }
  }
}
