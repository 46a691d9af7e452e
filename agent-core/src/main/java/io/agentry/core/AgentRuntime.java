package io.agentry.core;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.ContextPropagator;
import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.RuntimeListener;
import io.agentry.core.spi.Scheduler;
import io.agentry.core.spi.TaskQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The Agentry runtime: it queues submitted tasks, places each on an agent when one has room (late
 * binding), runs the attempts, applies the policy (retry, timeouts) and completes every handle
 * exactly once.
 *
 * <pre>{@code
 * try (var runtime = AgentRuntime.builder()
 *         .agent(Agent.local("a1").capacity(8).tags("cpu"))
 *         .agent(Agent.local("a2").capacity(8))
 *         .build()) {
 *     TaskHandle<String> h = runtime.submit(Task.of("greet", ctx -> "hi from " + ctx.agent()));
 *     System.out.println(h.join());
 * }
 * }</pre>
 *
 * <p><b>The way of one task.</b> {@code submit} validates and admits the task (the queue is bounded:
 * {@link Builder#queueCapacity(int)}, with {@link Backpressure}); the task waits in the
 * {@link TaskQueue} until an eligible agent has a free slot; the {@link AgentSelector} picks the agent;
 * the attempt runs on a virtual thread (or a backend); the {@link ExecutionPolicy} decides whether to
 * complete, retry or fail. An agent is eligible for a task when it is {@link AgentState#UP}, has every
 * tag the task requires and offers at least the amount of each resource the task declares.
 *
 * <p><b>No eligible agent.</b> A task that no agent can run (none registered, all down, none with the
 * tags) waits: its queue timeout or deadline ends it with a {@link NoEligibleAgentException}; without
 * either it waits until an agent comes, until it is cancelled, or until {@link #close()}.
 *
 * <p>Thread-safety: every method may be called from any thread. The wiring is fixed at
 * {@link Builder#build()}; only agents change while the runtime runs.
 */
public final class AgentRuntime implements AutoCloseable {
  /** The queue capacity when none is set. */
  public static final int DEFAULT_QUEUE_CAPACITY = 100_000;
  /** How many idempotent successes the result cache keeps when no size is set. */
  public static final long DEFAULT_RESULT_CACHE_SIZE = 10_000;
  /** How long the result cache keeps an idempotent success when no expiry is set: 10 minutes. */
  public static final Duration DEFAULT_RESULT_CACHE_EXPIRY = Duration.ofMinutes(10);
  /** The largest queue capacity accepted. */
  public static final int MAX_QUEUE_CAPACITY = 1 << 28;

  private final Dispatcher dispatcher;

  private AgentRuntime(Builder builder) {
    this.dispatcher = new Dispatcher(builder);
    Dispatcher.LOG.info("runtime '{}' started with {} agent(s)", builder.name, builder.agents.size());
  }

  /**
   * Starts a builder with every setting at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the runtime's name (used in logs, events and metrics).
   *
   * @return the name
   */
  public String name() {
    return dispatcher.name;
  }

  /**
   * Submits a task. When the queue is full, this waits for room ({@link Backpressure#BLOCK}, the
   * default) or throws at once ({@link Backpressure#REJECT}).
   *
   * @param task the task
   * @param <T> the result type
   * @return the handle of this submission
   * @throws RejectedTaskException if the runtime is closed, the queue is full under
   *     {@code REJECT}, the thread is interrupted while waiting for room, or a task with the same
   *     user-given id is in flight
   * @throws NullPointerException if the task is null
   */
  public <T extends @Nullable Object> TaskHandle<T> submit(Task<T> task) {
    return Objects.requireNonNull(dispatcher.submit(task, Dispatcher.Admission.BACKPRESSURE, 0));
  }

  /**
   * Submits a task, waiting at most {@code timeout} for room in the queue whatever the backpressure.
   *
   * @param task the task
   * @param timeout how long to wait for room; zero to not wait
   * @param <T> the result type
   * @return the handle, or empty if the queue stayed full
   * @throws RejectedTaskException if the runtime is closed, the thread is interrupted, or a task with
   *     the same user-given id is in flight
   * @throws IllegalArgumentException if the timeout is negative
   * @throws NullPointerException if an argument is null
   */
  public <T extends @Nullable Object> Optional<TaskHandle<T>> trySubmit(Task<T> task, Duration timeout) {
    Checks.nonNegative(timeout, "timeout");
    return Optional.ofNullable(dispatcher.submit(task, Dispatcher.Admission.TIMED, timeout.toNanos()));
  }

  /**
   * Submits tasks in order, as {@link #submit(Task)} does each. If one is rejected the exception
   * propagates and the tasks before it stay submitted.
   *
   * @param tasks the tasks
   * @param <T> the result type
   * @return one handle per task, in order
   * @throws RejectedTaskException as {@link #submit(Task)}
   * @throws NullPointerException if the collection or an element is null
   */
  public <T extends @Nullable Object> List<TaskHandle<T>> submitAll(Collection<? extends Task<T>> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    List<TaskHandle<T>> handles = new ArrayList<>(tasks.size());
    for (Task<T> task : tasks) {
      handles.add(submit(task));
    }
    return handles;
  }

  /**
   * Executes a task graph: every node is submitted as a task when its upstreams have ended as the
   * graph's {@link io.agentry.core.graph.FailurePolicy} requires, and runs on this runtime's agents,
   * queue and policies. Nodes do not take room in the queue bound (the graph is admitted whole).
   *
   * @param graph the graph
   * @return the handle of this execution
   * @throws RejectedTaskException if the runtime is closed
   * @throws NullPointerException if the graph is null
   */
  public io.agentry.core.graph.GraphHandle execute(io.agentry.core.graph.TaskGraph graph) {
    Objects.requireNonNull(graph, "graph");
    if (dispatcher.isClosed()) {
      throw new RejectedTaskException("runtime '" + name() + "' is closed; graph '" + graph.name()
          + "' cannot run");
    }
    GraphRun run = new GraphRun(dispatcher, graph);
    run.start();
    return run;
  }

  /**
   * Registers an agent while the runtime runs; waiting tasks it can run start on it at once.
   *
   * @param agent the agent
   * @throws IllegalArgumentException if an agent with the same id is registered
   * @throws IllegalStateException if the runtime is closed
   */
  public void addAgent(Agent agent) {
    dispatcher.addAgent(agent);
  }

  /**
   * Drains an agent: it finishes its running attempts and takes no new ones. It stays registered
   * (as {@link AgentState#DRAINING}) until removed or marked up again.
   *
   * @param agentId the agent
   * @return a future completed when the agent has no attempt running, or completed exceptionally
   *     with a {@link java.util.concurrent.CancellationException} if the agent is marked up before
   * @throws IllegalArgumentException if no such agent is registered
   */
  public CompletableFuture<Void> drainAgent(String agentId) {
    return dispatcher.drainAgent(agentId);
  }

  /**
   * Removes an agent at once. Its running attempts are interrupted and end with
   * {@link AgentLostException}, which the default policy retries on another agent; tasks waiting
   * for it by affinity go back to the queue. Drain first to let its work finish.
   *
   * @param agentId the agent
   * @throws IllegalArgumentException if no such agent is registered
   */
  public void removeAgent(String agentId) {
    dispatcher.removeAgent(agentId);
  }

  /**
   * Marks an agent down: it takes no new attempts; running ones go on (health checks and cluster
   * membership use this).
   *
   * @param agentId the agent
   * @throws IllegalArgumentException if no such agent is registered
   */
  public void markAgentDown(String agentId) {
    dispatcher.setAgentState(agentId, AgentState.DOWN);
  }

  /**
   * Marks an agent up (from down or draining): it takes attempts again.
   *
   * @param agentId the agent
   * @throws IllegalArgumentException if no such agent is registered
   */
  public void markAgentUp(String agentId) {
    dispatcher.setAgentState(agentId, AgentState.UP);
  }

  /**
   * Returns an immutable view of the agents and counts at this instant.
   *
   * @return the snapshot
   */
  public RuntimeSnapshot snapshot() {
    return dispatcher.snapshot();
  }

  /**
   * Returns what the tasks of each name did since the runtime started: tasks submitted and ended by
   * outcome with their total duration, attempts started and ended by status, total queue wait. The
   * runtime keeps these counts as tasks go, at almost no cost; meters can read them instead of
   * listening to every task's events (see {@link RuntimeListener#routineEvents()}). Every submit and
   * attempt end that happened before this call is counted.
   *
   * @return an immutable map from task name to its counts, sorted by name; at most
   *     {@link TaskCounts#MAX_NAMES} names, and {@link TaskCounts#OTHER_NAMES} for the tasks of
   *     further names
   */
  public java.util.Map<String, TaskCounts> taskCounts() {
    return dispatcher.taskCounts();
  }

  /**
   * Returns what the tasks of one name did since the runtime started; as {@link #taskCounts()} for
   * one name, at the cost of one short pass under the dispatch lock (a meter may call it on every
   * read).
   *
   * @param taskName a task name, or {@link TaskCounts#OTHER_NAMES}
   * @return its counts, or empty if no task of that name was submitted (or it is one of the names
   *     past {@link TaskCounts#MAX_NAMES}, counted under {@link TaskCounts#OTHER_NAMES})
   * @throws NullPointerException if the name is null
   */
  public java.util.Optional<TaskCounts> taskCounts(String taskName) {
    return dispatcher.taskCounts(taskName);
  }

  /**
   * Registers a listener for every event from now on (but the routine ones, if it says so: see
   * {@link RuntimeListener#routineEvents()}).
   *
   * @param listener the listener
   * @return the subscription; close it to unsubscribe
   * @throws NullPointerException if the listener is null
   */
  public Subscription subscribe(RuntimeListener listener) {
    return dispatcher.subscribe(listener);
  }

  /**
   * Tells whether {@link #close()} has been called.
   *
   * @return {@code true} once closing has begun
   */
  public boolean isClosed() {
    return dispatcher.isClosed();
  }

  /**
   * Shuts down gracefully: stops admitting (submit throws), lets queued and running tasks finish
   * within the {@link Builder#shutdownGrace(Duration) grace period}, then cancels the rest. Every
   * handle is complete when this returns. Calling it again waits the same way and is otherwise
   * harmless. If the calling thread is interrupted, the rest is cancelled at once and the interrupt
   * flag is kept.
   */
  @Override
  public void close() {
    dispatcher.close();
  }

  @Override
  public String toString() {
    return "AgentRuntime[" + name() + "]";
  }

  /**
   * Builds an {@link AgentRuntime}. Each setter checks its argument at once and names it in the
   * message; {@link #build()} leaves the builder unchanged and may be called again, but queue and
   * selector instances hold state, so give each runtime its own. Not thread-safe.
   */
  public static final class Builder {
    String name = "agentry";
    final Map<String, Agent> agents = new LinkedHashMap<>();
    int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    Backpressure backpressure = Backpressure.BLOCK;
    @Nullable TaskQueue queue;
    @Nullable AgentSelector selector;
    final List<io.agentry.core.spi.AgentGuard> guards = new ArrayList<>();
    ExecutionPolicy policy = ExecutionPolicy.ofDefaults();
    final List<ContextPropagator<?>> propagators = new ArrayList<>();
    final List<RuntimeListener> listeners = new ArrayList<>();
    @Nullable Scheduler scheduler;
    @Nullable Executor executor;
    Duration affinityWait = Duration.ofSeconds(1);
    long resultCacheSize = DEFAULT_RESULT_CACHE_SIZE;
    Duration resultCacheExpiry = DEFAULT_RESULT_CACHE_EXPIRY;
    Duration shutdownGrace = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * Sets the runtime's name. Default {@code "agentry"}.
     *
     * @param value a short, non-blank name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder name(String value) {
      this.name = Checks.name(value, "name");
      return this;
    }

    /**
     * Registers an agent at start.
     *
     * @param agent the agent
     * @return this builder
     * @throws IllegalArgumentException if an agent with the same id was already given
     */
    public Builder agent(Agent agent) {
      Objects.requireNonNull(agent, "agent");
      if (agents.putIfAbsent(agent.id(), agent) != null) {
        throw new IllegalArgumentException("duplicate agent id '" + agent.id() + "'");
      }
      return this;
    }

    /**
     * Sets how many accepted tasks may wait for their first attempt. Default
     * {@value AgentRuntime#DEFAULT_QUEUE_CAPACITY}.
     *
     * @param capacity from 1 to {@value AgentRuntime#MAX_QUEUE_CAPACITY}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder queueCapacity(int capacity) {
      Checks.atLeast(capacity, 1, "queueCapacity");
      if (capacity > MAX_QUEUE_CAPACITY) {
        throw new IllegalArgumentException("queueCapacity must be at most " + MAX_QUEUE_CAPACITY
            + ", was " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Sets what {@code submit} does when the queue is full. Default {@link Backpressure#BLOCK}.
     *
     * @param value the backpressure
     * @return this builder
     */
    public Builder backpressure(Backpressure value) {
      this.backpressure = Objects.requireNonNull(value, "backpressure");
      return this;
    }

    /**
     * Sets the queue discipline. Default FIFO.
     *
     * @param value the queue; used by this runtime only
     * @return this builder
     */
    public Builder queue(TaskQueue value) {
      this.queue = Objects.requireNonNull(value, "queue");
      return this;
    }

    /**
     * Sets how agents are chosen. Default round-robin among eligible agents with room.
     *
     * @param value the selector
     * @return this builder
     */
    public Builder selector(AgentSelector value) {
      this.selector = Objects.requireNonNull(value, "selector");
      return this;
    }

    /**
     * Adds a guard that decides, agent by agent, whether an agent may take attempts now (for example
     * per-agent circuit breakers). An agent must be admitted by every guard.
     *
     * @param value the guard; used by this runtime only
     * @return this builder
     */
    public Builder guard(io.agentry.core.spi.AgentGuard value) {
      guards.add(Objects.requireNonNull(value, "guard"));
      return this;
    }

    /**
     * Sets the policy for tasks that do not carry their own. Default
     * {@link ExecutionPolicy#ofDefaults()}: one attempt, no timeouts.
     *
     * @param value the policy
     * @return this builder
     */
    public Builder policy(ExecutionPolicy value) {
      this.policy = Objects.requireNonNull(value, "policy");
      return this;
    }

    /**
     * Adds a context propagator; SLF4J's MDC is always propagated.
     *
     * @param value the propagator
     * @return this builder
     */
    public Builder propagator(ContextPropagator<?> value) {
      propagators.add(Objects.requireNonNull(value, "propagator"));
      return this;
    }

    /**
     * Adds a listener registered from the start (it sees the agents being added).
     *
     * @param value the listener
     * @return this builder
     */
    public Builder listener(RuntimeListener value) {
      listeners.add(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /**
     * Sets the clock and timer. Default: one daemon platform thread owned by the runtime and stopped
     * by {@link AgentRuntime#close()}; a scheduler given here is not stopped by the runtime.
     *
     * @param value the scheduler
     * @return this builder
     */
    public Builder scheduler(Scheduler value) {
      this.scheduler = Objects.requireNonNull(value, "scheduler");
      return this;
    }

    /**
     * Sets where local agents run attempts. Default: virtual threads that the runtime starts as
     * attempts are placed; a thread whose attempt ended runs the next attempt waiting for a thread,
     * so a {@code ThreadLocal} that work sets and does not remove may be seen by a later attempt, as
     * on any pool, and a thread with nothing to run parks until a later attempt needs it (at most
     * 256, until {@link AgentRuntime#close()}; docs/decisions.md, D16 and D17). A given executor gets
     * one {@code execute} per attempt,
     * must not block in it, and is not shut down by the runtime.
     *
     * @param value the executor
     * @return this builder
     */
    public Builder executor(Executor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /**
     * Sets how long a task may wait for the agent a selector pinned it to (affinity) before it goes
     * to any agent with room. Default 1 second.
     *
     * @param value a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder affinityWait(Duration value) {
      this.affinityWait = Checks.positive(value, "affinityWait");
      return this;
    }

    /**
     * Sizes the cache of recent successes of tasks with an
     * {@link Task.Builder#idempotencyKey(String) idempotency key} (a Caffeine cache). Default
     * {@value AgentRuntime#DEFAULT_RESULT_CACHE_SIZE} entries kept 10 minutes after they were
     * written; a size of 0 turns the cache off (identical tasks in flight still share one execution).
     *
     * @param maximumSize the most successes kept, 0 or more
     * @param expireAfterWrite how long a success is kept, positive
     * @return this builder
     * @throws IllegalArgumentException if the size is negative or the expiry not positive
     */
    public Builder resultCache(long maximumSize, Duration expireAfterWrite) {
      if (maximumSize < 0) {
        throw new IllegalArgumentException("resultCache maximumSize must not be negative, was "
            + maximumSize);
      }
      this.resultCacheExpiry = Checks.positive(expireAfterWrite, "resultCache expireAfterWrite");
      this.resultCacheSize = maximumSize;
      return this;
    }

    /**
     * Sets how long {@link AgentRuntime#close()} lets queued and running tasks finish before it
     * cancels them. Default 30 seconds; zero cancels at once.
     *
     * @param value a non-negative duration
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder shutdownGrace(Duration value) {
      this.shutdownGrace = Checks.nonNegative(value, "shutdownGrace");
      return this;
    }

    /**
     * Builds and starts the runtime.
     *
     * @return the running runtime
     */
    public AgentRuntime build() {
      return new AgentRuntime(this);
    }
  }
}
