package io.agentry.core;

import io.agentry.core.graph.Compensation;
import io.agentry.core.graph.CompensationOutcome;
import io.agentry.core.graph.FailurePolicy;
import io.agentry.core.graph.GraphHandle;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeOutcome;
import io.agentry.core.graph.NodeRef;
import io.agentry.core.graph.NodeStatus;
import io.agentry.core.graph.TaskGraph;
import io.agentry.core.graph.UpstreamFailedException;
import io.agentry.core.internal.GraphAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a {@link TaskGraph}. Every node is submitted to the runtime as a task when its last
 * upstream ends; the bookkeeping is plain arrays and counters under one small lock per execution, so
 * the work is linear in nodes plus edges. Graph code runs outside the dispatch lock (node ends arrive
 * as effects after the dispatcher has released it).
 */
final class GraphRun implements GraphHandle {
  private final Dispatcher rt;
  private final TaskGraph graph;
  private final List<NodeRef<?>> nodes;
  private final FailurePolicy policy;
  private final int n;
  private final long startNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final GraphFuture future = new GraphFuture(this);
  /** The executing thread's context (MDC, propagators), given to every node and compensation. */
  private final Object @Nullable [] contexts;

  // guarded by lock
  private final int[] pending;
  private final boolean[] launched;
  private final @Nullable NodeStatus[] status;
  private final @Nullable Object[] results;
  private final @Nullable Throwable[] causes;
  /** Whether a node's task ended (its outcome is then {@code runs[i].outcomeNow()}). */
  private final boolean[] taskEnded;
  private final @Nullable TaskRun<?>[] runs;
  /** The graph's adjacency as index arrays (see {@link GraphAccess}). */
  private final GraphAccess.Graphs graphs = GraphAccess.graphs();
  private int unfinished;
  private boolean cancelled;
  private boolean failed;
  private boolean failingFast;
  private boolean ended;

  /**
   * Counted work, read by tests to check that bookkeeping is linear: edges visited, and nodes handed
   * to the runtime (counted when they become ready, under the lock).
   */
  long edgeVisits;
  long submissions;

  GraphRun(Dispatcher rt, TaskGraph graph) {
    this.rt = rt;
    this.graph = graph;
    this.nodes = graph.nodes();
    this.policy = graph.failurePolicy();
    this.n = nodes.size();
    this.startNanos = rt.nanoTime();
    this.contexts = rt.captureContexts();
    this.pending = new int[n];
    this.launched = new boolean[n];
    this.status = new NodeStatus[n];
    this.results = new Object[n];
    this.causes = new Throwable[n];
    this.taskEnded = new boolean[n];
    this.runs = new TaskRun<?>[n];
  }

  void start() {
    int[] ready = new int[n];
    int count = 0;
    lock.lock();
    try {
      unfinished = n;
      for (int i = 0; i < n; i++) {
        pending[i] = graphs.upstreamCount(graph, i);
        if (pending[i] == 0) {
          launched[i] = true;
          ready[count++] = i;
        }
      }
      submissions += count;
    } finally {
      lock.unlock();
    }
    launch(ready, count, null);
  }

  private void launch(int @Nullable [] ready, int count, @Nullable Effects fx) {
    if (count == 0) {
      return;
    }
    int[] which = java.util.Objects.requireNonNull(ready);
    TaskRun<?>[] made = new TaskRun<?>[count];
    long now = rt.nanoTime(); // one clock read for the nodes that became ready together
    for (int k = 0; k < count; k++) {
      int i = which[k];
      made[k] = rt.newNodeRun(graphs.task(graph, i), this, i, contexts, now);
    }
    RejectedTaskException rejected = rt.acceptNodes(made, count, fx);
    if (rejected != null) {
      for (int k = 0; k < count; k++) {
        nodeNotRun(which[k], NodeStatus.CANCELLED, rejected);
      }
      return;
    }
    boolean[] cancelNow = null;
    lock.lock();
    try {
      for (int k = 0; k < count; k++) {
        int i = which[k];
        runs[i] = made[k];
        if ((cancelled || failingFast) && status[i] == null) {
          if (cancelNow == null) {
            cancelNow = new boolean[count];
          }
          cancelNow[k] = true;
        }
      }
    } finally {
      lock.unlock();
    }
    if (cancelNow != null) {
      for (int k = 0; k < count; k++) {
        if (cancelNow[k]) {
          made[k].cancel();
        }
      }
    }
  }

  /**
   * A node's task ended; called once per submitted node, outside the dispatch lock, on the thread
   * that ended it. Reads the run's end as it was recorded; the task's {@link TaskOutcome} is made
   * only if someone looks at the node's outcome.
   */
  void nodeEnded(int i, TaskRun<?> run, @Nullable Effects fx) {
    NodeStatus s;
    Throwable cause = null;
    Object value = null;
    Object end = run.end; // written before the terminal state, on this thread or under the lock
    switch (run.state) {
      case SUCCEEDED -> {
        s = NodeStatus.SUCCEEDED;
        value = end;
      }
      case FAILED, TIMED_OUT -> {
        s = NodeStatus.FAILED;
        cause = (Throwable) java.util.Objects.requireNonNull(end);
      }
      default -> {
        s = NodeStatus.CANCELLED;
        cause = new CancellationException(String.valueOf(end));
      }
    }
    outcomeOf(i, s, value, cause, run, fx);
  }

  private void nodeNotRun(int i, NodeStatus s, Throwable cause) {
    outcomeOf(i, s, null, cause, null, null);
  }

  /**
   * Records a node's end and hands in the nodes it made ready.
   *
   * @param fx the effects of the section that ended the node, when this runs as one of them: the
   *     ready nodes are then handed in for that thread to take in next; null to take them in here
   */
  private void outcomeOf(int i, NodeStatus s, @Nullable Object value, @Nullable Throwable cause,
      @Nullable TaskRun<?> ended, @Nullable Effects fx) {
    int[] ready = null;
    int count = 0;
    List<TaskRun<?>> toCancel = null;
    boolean done;
    lock.lock();
    try {
      if (status[i] != null) {
        return;
      }
      status[i] = s;
      results[i] = value;
      causes[i] = cause;
      if (ended != null) {
        runs[i] = ended; // launch() may not have recorded it yet
        taskEnded[i] = true;
      }
      unfinished--;
      boolean ok = s == NodeStatus.SUCCEEDED;
      if (!ok && !cancelled) {
        failed = true;
      }
      int[] down = graphs.downstreams(graph, i);
      if ((ok || policy == FailurePolicy.CONTINUE_ALL) && !cancelled && !failingFast) {
        edgeVisits += down.length;
        for (int j : down) {
          if (--pending[j] == 0 && !launched[j]) {
            launched[j] = true;
            if (ready == null) {
              ready = new int[down.length];
            }
            ready[count++] = j;
          }
        }
      } else if (!ok && !cancelled) {
        if (policy == FailurePolicy.FAIL_FAST) {
          toCancel = failFast(nodes.get(i).id(), cause);
        } else if (policy == FailurePolicy.SKIP_DEPENDENTS) {
          skipDescendants(i, cause);
        }
      }
      submissions += count; // counted here: the nodes may end before launch() records them
      done = unfinished == 0;
    } finally {
      lock.unlock();
    }
    launch(ready, count, fx);
    cancelAll(toCancel);
    if (done) {
      end();
    }
  }

  /** Under the lock: every node not started is skipped; the running ones are returned to cancel. */
  private @Nullable List<TaskRun<?>> failFast(String failedId, @Nullable Throwable cause) {
    if (failingFast) {
      return null;
    }
    failingFast = true;
    UpstreamFailedException skipCause = new UpstreamFailedException(failedId,
        cause == null ? new IllegalStateException("node failed") : cause);
    List<TaskRun<?>> running = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      if (status[j] != null) {
        continue;
      }
      if (!launched[j]) {
        launched[j] = true;
        status[j] = NodeStatus.SKIPPED;
        causes[j] = skipCause;
        unfinished--;
      } else {
        TaskRun<?> run = runs[j];
        if (run != null) {
          running.add(run);
        }
      }
    }
    return running;
  }

  /** Under the lock: skips every node that depends, directly or not, on node {@code i}. */
  private void skipDescendants(int i, @Nullable Throwable cause) {
    UpstreamFailedException skipCause = new UpstreamFailedException(nodes.get(i).id(),
        cause == null ? new IllegalStateException("node failed") : cause);
    int[] stack = new int[8];
    int top = 0;
    stack[top++] = i;
    while (top > 0) {
      int v = stack[--top];
      for (int j : graphs.downstreams(graph, v)) {
        edgeVisits++;
        if (!launched[j] && status[j] == null) {
          launched[j] = true;
          status[j] = NodeStatus.SKIPPED;
          causes[j] = skipCause;
          unfinished--;
          if (top == stack.length) {
            stack = java.util.Arrays.copyOf(stack, top * 2);
          }
          stack[top++] = j;
        }
      }
    }
  }

  private static void cancelAll(@Nullable List<TaskRun<?>> runs) {
    if (runs != null) {
      for (TaskRun<?> run : runs) {
        run.cancel();
      }
    }
  }

  @Override
  public boolean cancel() {
    List<TaskRun<?>> running = new ArrayList<>();
    boolean done;
    lock.lock();
    try {
      if (ended || cancelled) {
        return false;
      }
      cancelled = true;
      CancellationException cause = new CancellationException("graph '" + graph.name() + "' was cancelled");
      for (int j = 0; j < n; j++) {
        if (status[j] != null) {
          continue;
        }
        if (!launched[j]) {
          launched[j] = true;
          status[j] = NodeStatus.CANCELLED;
          causes[j] = cause;
          unfinished--;
        } else {
          TaskRun<?> run = runs[j];
          if (run != null) {
            running.add(run);
          }
        }
      }
      done = unfinished == 0;
    } finally {
      lock.unlock();
    }
    cancelAll(running);
    if (done) {
      end();
    }
    return true;
  }

  /** Reads an upstream's result for node {@code i}. */
  @SuppressWarnings("unchecked")
  <U extends @Nullable Object> U resultOf(int i, NodeRef<U> upstream) {
    java.util.Objects.requireNonNull(upstream, "upstream");
    NodeRef<?> self = nodes.get(i);
    if (!graph.contains(upstream) || !graph.upstreams(self).contains(upstream)) {
      throw new IllegalArgumentException("node '" + self.id() + "' does not depend on node '"
          + upstream.id() + "' in graph '" + graph.name() + "'");
    }
    int j = upstream.index();
    lock.lock();
    try {
      if (status[j] == NodeStatus.SUCCEEDED) {
        return (U) results[j];
      }
      Throwable cause = causes[j];
      throw new UpstreamFailedException(upstream.id(),
          cause == null ? new IllegalStateException("upstream has not ended") : cause);
    } finally {
      lock.unlock();
    }
  }

  // ------------------------------------------------------------------ the end, and compensation

  private void end() {
    GraphOutcome.Status result;
    List<Integer> toCompensate = new ArrayList<>();
    lock.lock();
    try {
      if (ended) {
        return;
      }
      ended = true;
      result = cancelled ? GraphOutcome.Status.CANCELLED
          : failed ? GraphOutcome.Status.FAILED : GraphOutcome.Status.SUCCEEDED;
      if (graph.compensates() && result != GraphOutcome.Status.SUCCEEDED) {
        List<NodeRef<?>> order = graph.topologicalOrder();
        for (int k = order.size() - 1; k >= 0; k--) {
          int j = order.get(k).index();
          if (status[j] == NodeStatus.SUCCEEDED && graph.compensation(order.get(k)).isPresent()) {
            toCompensate.add(j);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    compensate(result, toCompensate, 0, new ArrayList<>());
  }

  /** Runs compensations one at a time, each as a task, each after the previous one ended. */
  private void compensate(GraphOutcome.Status result, List<Integer> order, int next,
      List<CompensationOutcome> done) {
    if (next == order.size()) {
      complete(result, done);
      return;
    }
    int j = order.get(next);
    NodeRef<?> node = nodes.get(j);
    @SuppressWarnings("unchecked")
    Compensation<Object> action = (Compensation<Object>) graph.compensation(node).orElseThrow();
    Object value = results[j];
    Task<?> nodeTask = graph.task(node);
    Task.Builder<Object> b = Task.builder(nodeTask.name() + ".compensation", ctx -> {
      action.compensate(value);
      return null;
    });
    if (!nodeTask.requiredTags().isEmpty()) {
      b.requires(nodeTask.requiredTags().toArray(String[]::new));
    }
    nodeTask.resources().forEach(b::resource);
    TaskRun<Object> run;
    try {
      run = rt.submitInternal(b.build(), contexts);
    } catch (RejectedTaskException e) {
      done.add(new CompensationOutcome(node.id(), e));
      compensate(result, order, next + 1, done);
      return;
    }
    run.toCompletableFuture().whenComplete((v, e) -> {
      Throwable failure = null;
      if (e != null) {
        failure = e instanceof TaskFailedException tf && tf.getCause() != null ? tf.getCause() : e;
      }
      done.add(new CompensationOutcome(node.id(), failure));
      compensate(result, order, next + 1, done);
    });
  }

  private void complete(GraphOutcome.Status result, List<CompensationOutcome> compensations) {
    // the node outcomes (and their tasks' outcomes) are made when first asked for: the arrays they
    // come from change no more once every node has ended
    GraphOutcome outcome = graphs.outcome(graph, result, this::nodeOutcomes, compensations,
        Duration.ofNanos(rt.nanoTime() - startNanos));
    future.settle(outcome);
  }

  /** Every node's outcome, in node order; once the graph has ended. */
  private List<NodeOutcome> nodeOutcomes() {
    List<NodeOutcome> list = new ArrayList<>(n);
    lock.lock();
    try {
      for (int j = 0; j < n; j++) {
        TaskRun<?> run = runs[j];
        list.add(new NodeOutcome(nodes.get(j).id(), java.util.Objects.requireNonNull(status[j]),
            results[j], causes[j], taskEnded[j] && run != null ? run.outcomeNow() : null));
      }
    } finally {
      lock.unlock();
    }
    return list;
  }

  // ------------------------------------------------------------------ handle

  @Override
  public TaskGraph graph() {
    return graph;
  }

  @Override
  public CompletableFuture<GraphOutcome> toCompletableFuture() {
    return future;
  }

  @Override
  public GraphOutcome join() {
    try {
      return future.join();
    } catch (CompletionException | CancellationException e) {
      throw new IllegalStateException("graph future ended without an outcome", e);
    }
  }

  @Override
  public GraphOutcome await() throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException | CancellationException e) {
      throw new IllegalStateException("graph future ended without an outcome", e);
    }
  }

  @Override
  public Optional<GraphOutcome> outcome() {
    return Optional.ofNullable(future.getNow(null));
  }

  @Override
  public String toString() {
    return "GraphRun[" + graph.name() + "]";
  }

  /** Completes with the outcome; cancelling it cancels the graph. */
  static final class GraphFuture extends CompletableFuture<GraphOutcome> {
    private final GraphRun run;

    GraphFuture(GraphRun run) {
      this.run = run;
    }

    void settle(GraphOutcome outcome) {
      super.complete(outcome);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return run.cancel();
    }
  }
}
