package io.agentry.metrics;

import io.agentry.core.AgentRuntime;
import io.agentry.core.AgentState;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.RuntimeSnapshot.AgentSnapshot;
import io.agentry.core.Subscription;
import io.agentry.core.TaskCounts;
import io.agentry.core.TaskState;
import io.agentry.core.event.AgentAdded;
import io.agentry.core.event.AgentRemoved;
import io.agentry.core.event.AgentStateChanged;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskHedged;
import io.agentry.core.event.TaskRejected;
import io.agentry.core.event.TaskRetryScheduled;
import io.agentry.core.event.TaskSubmitted;
import io.agentry.core.spi.RuntimeListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * One {@link AgentryMetrics} bound to one registry: the runtime listener that counts events, the
 * meters it registered and the snapshot cache its gauges read. Thread-safe: events arrive on the
 * runtime's threads, gauges are read on the registry's, and agents come and go on any.
 */
final class RuntimeBinding implements RuntimeListener {
  /** The task name that stands for every name past {@link AgentryMetrics.Builder#maxTaskNames}. */
  static final String OTHER_TASKS = TaskCounts.OTHER_NAMES; // one overflow name, here and in core
  /**
   * Bounds the map of tasks between a retry decision and their next attempt. Entries leave when the
   * attempt starts or the task ends; the bound only guards against events a runtime might deliver out
   * of order, which would otherwise leave an entry behind.
   */
  static final int MAX_TRACKED_RETRIES = 1 << 20;

  private final AgentRuntime runtime;
  private final MeterRegistry registry;
  private final MeterNames names;
  private final boolean percentileHistograms;
  private final int maxTaskNames;
  private final Tags runtimeTags;
  private final SnapshotCache cache;
  private final ConcurrentHashMap<String, TaskMeters> tasks = new ConcurrentHashMap<>();
  private final ReentrantLock taskLock = new ReentrantLock();
  /** Task id to the agent whose attempt failed, from the retry decision until the next start. */
  private final ConcurrentHashMap<String, String> retrying = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Meter> meters = new ConcurrentLinkedQueue<>();
  private final ReentrantLock agentLock = new ReentrantLock();
  // guarded by agentLock
  private final Map<String, List<Meter>> agentMeters = new HashMap<>();
  private int namedTasks; // guarded by taskLock
  /** The runtime's counts when this binding started: its counters count from then on. */
  private volatile Map<String, TaskCounts> baseline = Map.of();
  private volatile boolean closed;
  private volatile @Nullable Subscription subscription;

  RuntimeBinding(AgentryMetrics config, MeterRegistry registry) {
    this.runtime = config.runtime();
    this.registry = registry;
    this.names = config.names();
    this.percentileHistograms = config.percentileHistograms();
    this.maxTaskNames = config.maxTaskNames();
    this.runtimeTags = Tags.of(MeterNames.RUNTIME_TAG, runtime.name());
    this.cache = new SnapshotCache(runtime, registry.config().clock(),
        config.snapshotMaxAge().toNanos());
  }

  MeterRegistry registry() {
    return registry;
  }

  MeterNames names() {
    return names;
  }

  Tags runtimeTags() {
    return runtimeTags;
  }

  /** Subscribes first, so that no agent added meanwhile is missed, then registers what exists. */
  void start() {
    subscription = runtime.subscribe(this);
    // after subscribing: a name that first appears from now on is announced by an event
    baseline = runtime.taskCounts();
    for (String name : baseline.keySet()) {
      task(name);
    }
    gauge(names.tasksQueued(), runtimeTags, "Tasks waiting for an agent", s -> s.get().queued());
    gauge(names.tasksRunning(), runtimeTags, "Tasks with an attempt running",
        s -> s.get().running());
    gauge(names.tasksRetryWaiting(), runtimeTags, "Tasks waiting for a retry backoff to pass",
        s -> s.get().waitingToRetry());
    for (AgentState state : AgentState.values()) {
      gauge(names.agents(), runtimeTags.and(MeterNames.STATE_TAG, tagValue(state)),
          "Registered agents, by state", s -> count(s.get(), state));
    }
    reconcileAgents();
  }

  void close() {
    closed = true;
    Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    agentLock.lock();
    try {
      for (List<Meter> list : agentMeters.values()) {
        list.forEach(registry::remove);
      }
      agentMeters.clear();
    } finally {
      agentLock.unlock();
    }
    Meter m;
    while ((m = meters.poll()) != null) {
      registry.remove(m);
    }
    tasks.clear();
    retrying.clear();
  }

  // ------------------------------------------------------------------ events

  /**
   * Routine events only with percentile histograms, which need every sample: otherwise what they
   * say is read from the runtime's {@link TaskCounts}.
   */
  @Override
  public boolean routineEvents() {
    return percentileHistograms;
  }

  @Override
  public void onEvent(RuntimeEvent event) {
    if (closed) {
      return;
    }
    switch (event) {
      case TaskSubmitted e -> task(e.taskName()); // the count is the runtime's
      case TaskRejected e -> task(e.taskName()).rejected.increment();
      case AttemptStarted e -> attemptStarted(e);
      case AttemptEnded e -> attemptEnded(e);
      case TaskRetryScheduled e -> {
        task(e.taskName()).retries.increment();
        if (retrying.size() < MAX_TRACKED_RETRIES) {
          retrying.put(e.taskId(), e.failedAgentId());
        }
      }
      case TaskHedged e -> task(e.taskName()).hedges.increment();
      case TaskCompleted e -> taskCompleted(e);
      case AgentAdded e -> reconcileAgents();
      case AgentRemoved e -> reconcileAgents();
      case AgentStateChanged e -> { } // the state gauges read it from the snapshot
    }
  }

  private void attemptStarted(AttemptStarted e) {
    TaskMeters t = task(e.taskName());
    Timer queueWait = t.queueWait;
    if (queueWait != null) {
      queueWait.record(e.queueWait());
    }
    if (e.attempt() > 1) {
      String failedOn = retrying.remove(e.taskId());
      if (failedOn != null && !failedOn.equals(e.agentId())) {
        t.failovers.increment();
      }
    }
  }

  private void attemptEnded(AttemptEnded e) {
    TaskMeters t = task(e.taskName());
    t.attemptEnded(e.status());
    if (e.status() == AttemptEnded.Status.TIMED_OUT) {
      // Timeouts that end only the attempt count here; a deadline ends the task as well and is
      // counted once, when the task ends.
      TaskCause cause = TaskCause.of(e.failure());
      if (cause == TaskCause.ATTEMPT_TIMEOUT || cause == TaskCause.HEARTBEAT_TIMEOUT) {
        t.timedOut(cause);
      }
    }
  }

  private void taskCompleted(TaskCompleted e) {
    if (!retrying.isEmpty()) { // a lookup hashes the task id: skip it when nothing is retrying
      retrying.remove(e.taskId());
    }
    TaskMeters t = task(e.taskName());
    TaskCause cause = TaskCause.of(e.state(), e.cause());
    t.completed(e.state(), cause);
    Timer duration = t.duration(e.state());
    if (duration != null) {
      duration.record(e.duration());
    }
    if (e.state() == TaskState.TIMED_OUT && (cause == TaskCause.QUEUE_TIMEOUT
        || cause == TaskCause.DEADLINE || cause == TaskCause.NO_ELIGIBLE_AGENT
        || cause == TaskCause.TIMEOUT)) {
      t.timedOut(cause);
    }
  }

  /** Returns the meters of a task name, or of {@link #OTHER_TASKS} once the names are used up. */
  private TaskMeters task(String name) {
    TaskMeters t = tasks.get(name);
    if (t != null) {
      return t;
    }
    taskLock.lock();
    try {
      t = tasks.get(name);
      if (t == null) {
        // past the runtime's bound, names are counted as one: so are they here
        if (namedTasks >= Math.min(maxTaskNames, TaskCounts.MAX_NAMES)
            || name.equals(TaskCounts.OTHER_NAMES)) {
          t = tasks.get(OTHER_TASKS);
          if (t == null) {
            t = new TaskMeters(this, OTHER_TASKS);
            tasks.put(OTHER_TASKS, t);
          }
        } else {
          t = new TaskMeters(this, name);
          tasks.put(name, t);
          namedTasks++;
        }
      }
      return t;
    } finally {
      taskLock.unlock();
    }
  }

  // ------------------------------------------------------------------ agents

  /**
   * Makes the agent meters match the runtime's agents. Driven by add and remove events but reading a
   * fresh snapshot under a lock, so that two events published out of order by different threads
   * cannot leave the meters of a removed agent behind: the last call sees the last change.
   */
  private void reconcileAgents() {
    agentLock.lock();
    try {
      if (closed) {
        return;
      }
      RuntimeSnapshot snapshot = runtime.snapshot();
      Set<String> present = new HashSet<>();
      for (AgentSnapshot a : snapshot.agents()) {
        present.add(a.id());
        agentMeters.computeIfAbsent(a.id(), this::registerAgent);
      }
      for (Iterator<Map.Entry<String, List<Meter>>> it = agentMeters.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, List<Meter>> entry = it.next();
        if (!present.contains(entry.getKey())) {
          entry.getValue().forEach(registry::remove);
          it.remove();
        }
      }
    } finally {
      agentLock.unlock();
    }
  }

  private List<Meter> registerAgent(String id) {
    Tags tags = runtimeTags.and(MeterNames.AGENT_TAG, id);
    List<Meter> list = new ArrayList<>(10);
    list.add(Gauge.builder(names.agentInFlight(), cache, c -> agentValue(c, id, a -> a.inFlight()))
        .tags(tags).description("Attempts holding a slot of the agent")
        .register(registry));
    list.add(Gauge.builder(names.agentCapacity(), cache, c -> agentValue(c, id, a -> a.capacity()))
        .tags(tags).description("Slots of the agent: the most attempts it runs at once")
        .register(registry));
    list.add(Gauge.builder(names.agentUtilization(), cache,
            c -> agentValue(c, id, a -> (double) a.inFlight() / a.capacity()))
        .tags(tags).description("Share of the agent's slots in use, from 0 to 1")
        .register(registry));
    for (AgentState state : AgentState.values()) {
      list.add(Gauge.builder(names.agentState(), cache,
              c -> agentValue(c, id, a -> a.state() == state ? 1 : 0))
          .tags(tags.and(MeterNames.STATE_TAG, tagValue(state)))
          .description("1 for the agent's current state, 0 for the others")
          .register(registry));
    }
    list.add(FunctionCounter.builder(names.agentAttempts(), cache,
            c -> agentValue(c, id, a -> a.succeeded()))
        .tags(tags.and(MeterNames.OUTCOME_TAG, "succeeded"))
        .description("Attempts the agent ran, by outcome")
        .register(registry));
    list.add(FunctionCounter.builder(names.agentAttempts(), cache,
            c -> agentValue(c, id, a -> a.failed()))
        .tags(tags.and(MeterNames.OUTCOME_TAG, "failed"))
        .description("Attempts the agent ran, by outcome")
        .register(registry));
    return list;
  }

  private static double agentValue(SnapshotCache cache, String id, ToDoubleFunction<AgentSnapshot> f) {
    AgentSnapshot a = cache.agent(id);
    return a == null ? Double.NaN : f.applyAsDouble(a);
  }

  private static double count(RuntimeSnapshot snapshot, AgentState state) {
    int n = 0;
    for (AgentSnapshot a : snapshot.agents()) {
      if (a.state() == state) {
        n++;
      }
    }
    return n;
  }

  static String tagValue(AgentState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reads a count of the tasks a {@link TaskMeters} stands for, from the runtime's counts, less what
   * they were when this binding started.
   */
  double counted(TaskMeters meters, ToDoubleFunction<TaskCounts> count) {
    Map<String, TaskCounts> base = baseline;
    if (!meters.name.equals(OTHER_TASKS)) {
      TaskCounts now = runtime.taskCounts(meters.name).orElse(null);
      return now == null ? 0 : count.applyAsDouble(now) - since(base, meters.name, count);
    }
    double sum = 0;
    for (TaskCounts now : runtime.taskCounts().values()) {
      String name = now.taskName();
      boolean other = name.equals(OTHER_TASKS); // the runtime's own overflow (TaskCounts.OTHER_NAMES)
      if (!other && !tasks.containsKey(name)) {
        // a name this binding has not seen yet (its event is on the way) is placed now, so that it
        // is never counted here first and under its own name later
        task(name);
        other = !tasks.containsKey(name);
      }
      if (other) {
        sum += count.applyAsDouble(now) - since(base, name, count);
      }
    }
    return sum;
  }

  private static double since(Map<String, TaskCounts> base, String name,
      ToDoubleFunction<TaskCounts> count) {
    TaskCounts then = base.get(name);
    return then == null ? 0 : count.applyAsDouble(then);
  }

  // ------------------------------------------------------------------ registration

  boolean percentileHistograms() {
    return percentileHistograms;
  }

  FunctionCounter functionCounter(String name, Tags tags, String description, TaskMeters meters,
      ToDoubleFunction<TaskCounts> count) {
    return track(FunctionCounter.builder(name, meters, m -> m.sum(count)).tags(tags)
        .description(description).register(registry));
  }

  FunctionTimer functionTimer(String name, Tags tags, String description, TaskMeters meters,
      ToDoubleFunction<TaskCounts> count, ToDoubleFunction<TaskCounts> totalNanos) {
    return track(FunctionTimer.builder(name, meters, m -> (long) m.sum(count),
            m -> m.sum(totalNanos), TimeUnit.NANOSECONDS)
        .tags(tags).description(description).register(registry));
  }

  Counter counter(String name, Tags tags, String description) {
    return track(Counter.builder(name).tags(tags).description(description).register(registry));
  }

  Timer timer(String name, Tags tags, String description) {
    Timer.Builder b = Timer.builder(name).tags(tags).description(description);
    if (percentileHistograms) {
      b.publishPercentileHistogram(); // otherwise left unset, so that the registry's filters decide
    }
    return track(b.register(registry));
  }

  private void gauge(String name, Tags tags, String description,
      ToDoubleFunction<SnapshotCache> f) {
    track(Gauge.builder(name, cache, f).tags(tags).description(description).register(registry));
  }

  private <M extends Meter> M track(M meter) {
    meters.add(meter);
    if (closed) {
      registry.remove(meter); // registered by an event that raced with close()
    }
    return meter;
  }
}
