package io.agentry.metrics;

import io.agentry.core.AgentRuntime;
import io.agentry.core.AgentState;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.RuntimeSnapshot.AgentSnapshot;
import io.agentry.core.Subscription;
import io.agentry.core.event.AgentAdded;
import io.agentry.core.event.AgentRemoved;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.spi.Scheduler;
import io.agentry.metrics.event.AgentHealthy;
import io.agentry.metrics.event.AgentUnhealthy;
import io.agentry.metrics.event.HealthEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks on a runtime's agents at a fixed interval, marks an agent
 * {@linkplain AgentRuntime#markAgentDown(String) down} after {@link Builder#failureThreshold(int) N}
 * failed checks in a row and {@linkplain AgentRuntime#markAgentUp(String) up} again after
 * {@link Builder#successThreshold(int) M} good ones, and reports every agent's health for a readiness
 * endpoint.
 *
 * <pre>{@code
 * try (HealthMonitor monitor = HealthMonitor.builder(runtime)
 *         .interval(Duration.ofSeconds(5))
 *         .check(HealthCheck.noHeartbeatTimeouts())
 *         .check(HealthCheck.noAttemptRunningLongerThan(Duration.ofMinutes(10)))
 *         .listener(event -> log.warn("health: {}", event))
 *         .build()) {
 *     monitor.bindTo(registry); // agentry.health.* meters
 *     HealthReport report = monitor.health();
 * }
 * }</pre>
 *
 * <p><b>Rounds.</b> Every {@link Builder#interval(Duration) interval} (first one interval after
 * {@link Builder#build()}), the monitor takes a snapshot of the runtime and runs every check, in the
 * order given, on every agent the {@link Builder#agents(Predicate) filter} admits (local agents by
 * default: remote agents are marked down and up by their cluster membership). The first failing check
 * decides the result. Rounds run one at a time on the monitor's {@link Builder#scheduler(Scheduler)
 * scheduler} and stop when the monitor or the runtime is closed.
 *
 * <p><b>Transitions.</b> An agent is {@link HealthStatus#UNKNOWN} until its first check, then
 * {@link HealthStatus#HEALTHY}. When its failed checks in a row reach the failure threshold it becomes
 * {@link HealthStatus#UNHEALTHY}: an {@link AgentUnhealthy} event is published and, if the agent was
 * {@link AgentState#UP}, the monitor marks it down, so that it takes no new attempts (running ones go
 * on). When its passed checks in a row reach the success threshold it becomes healthy again: an
 * {@link AgentHealthy} event is published and, if the monitor marked it down and it is still down, the
 * monitor marks it up. The monitor never marks up an agent someone else took down, and never touches a
 * draining agent.
 *
 * <p><b>Why not {@code runtime.health()}.</b> Core cannot depend on this module, so the health
 * report lives here: {@link #health()}.
 *
 * <p>Thread-safety: thread-safe. Events reach listeners on the scheduler's thread; a listener that
 * throws is logged at WARN and ignored.
 */
public final class HealthMonitor implements MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

  /** The default of {@link Builder#interval(Duration)}: ten seconds. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  /** The default of {@link Builder#failureThreshold(int)}. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 3;
  /** The default of {@link Builder#successThreshold(int)}. */
  public static final int DEFAULT_SUCCESS_THRESHOLD = 2;

  private final AgentRuntime runtime;
  private final String name;
  private final Duration interval;
  private final int failureThreshold;
  private final int successThreshold;
  private final List<HealthCheck> checks;
  private final Predicate<AgentSnapshot> filter;
  private final MeterNames names;
  private final Scheduler scheduler;
  private final @Nullable OwnedScheduler ownedScheduler;
  private final CopyOnWriteArrayList<Consumer<? super HealthEvent>> listeners;
  private final CopyOnWriteArrayList<HealthMeters> meters = new CopyOnWriteArrayList<>();
  /** What the runtime's events tell of each agent's attempts. */
  private final ConcurrentHashMap<String, AgentAttempts> attempts = new ConcurrentHashMap<>();
  /** The judgement of each agent; written by rounds, removed with the agent. */
  private final ConcurrentHashMap<String, Judgement> judged = new ConcurrentHashMap<>();
  private final Subscription runtimeSubscription;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private Scheduler.@Nullable Cancellable pending;
  private boolean closed;
  // touched by rounds only, which never overlap
  private Set<String> absentLastRound = Set.of();

  private HealthMonitor(Builder b) {
    this.runtime = b.runtime;
    this.name = b.runtime.name();
    this.interval = b.interval;
    this.failureThreshold = b.failureThreshold;
    this.successThreshold = b.successThreshold;
    this.checks = b.checks.isEmpty() ? List.of(HealthCheck.noHeartbeatTimeouts()) : List.copyOf(b.checks);
    this.filter = b.filter;
    this.names = b.names;
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownedScheduler = null;
    } else {
      this.ownedScheduler = new OwnedScheduler("agentry-health-" + name);
      this.scheduler = ownedScheduler;
    }
    this.listeners = new CopyOnWriteArrayList<>(b.listeners);
    this.runtimeSubscription = runtime.subscribe(this::onRuntimeEvent);
    scheduleNext();
  }

  /**
   * Starts a builder for a monitor of a runtime.
   *
   * @param runtime the runtime whose agents to check
   * @return a new builder with every setting at its default
   * @throws NullPointerException if the runtime is null
   */
  public static Builder builder(AgentRuntime runtime) {
    return new Builder(Objects.requireNonNull(runtime, "runtime"));
  }

  /**
   * Returns the health of every watched agent now: the agents registered in the runtime that the
   * filter admits, with their current state and the monitor's judgement of their last checks.
   *
   * @return an immutable report
   */
  public HealthReport health() {
    RuntimeSnapshot snapshot = runtime.snapshot();
    List<HealthReport.AgentHealth> list = new ArrayList<>(snapshot.agents().size());
    for (AgentSnapshot a : snapshot.agents()) {
      if (!filter.test(a)) {
        continue;
      }
      Judgement j = judged.get(a.id());
      list.add(j == null
          ? new HealthReport.AgentHealth(a.id(), a.state(), HealthStatus.UNKNOWN, 0, 0, null, null)
          : new HealthReport.AgentHealth(a.id(), a.state(), j.status, j.failures, j.successes,
              j.lastAt, j.last));
    }
    return new HealthReport(name, scheduler.now(), list);
  }

  /**
   * Registers a listener for the health events from now on.
   *
   * @param listener the listener
   * @return the subscription; close it to unsubscribe
   * @throws NullPointerException if the listener is null
   */
  public Subscription subscribe(Consumer<? super HealthEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Registers the health meters in a registry: per agent, {@value MeterNames#HEALTH_CHECKS} by
   * result and {@value MeterNames#HEALTH_TRANSITIONS} by the status moved to (default names). Each
   * agent's meters appear at its first check and leave with the agent. Binding a registry already
   * bound does nothing.
   *
   * @param registry the registry
   * @throws IllegalStateException if the monitor is closed
   * @throws NullPointerException if the registry is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("health monitor of runtime '" + name + "' is closed");
      }
      for (HealthMeters m : meters) {
        if (m.registry == registry) {
          return;
        }
      }
      meters.add(new HealthMeters(registry));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the rounds, unsubscribes from the runtime, stops the monitor's own scheduler (not one given
   * to the builder) and removes the monitor's meters. Agents the monitor marked down stay down. A
   * round already running finishes. Calling it again does nothing.
   */
  @Override
  public void close() {
    Scheduler.Cancellable p;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      p = pending;
      pending = null;
    } finally {
      lock.unlock();
    }
    if (p != null) {
      p.cancel();
    }
    runtimeSubscription.close();
    if (ownedScheduler != null) {
      ownedScheduler.shutdown();
    }
    for (HealthMeters m : meters) {
      m.removeAll();
    }
    meters.clear();
  }

  @Override
  public String toString() {
    return "HealthMonitor[" + name + ", every " + interval + "]";
  }

  // ------------------------------------------------------------------ rounds

  private void scheduleNext() {
    lock.lock();
    try {
      pending = closed || runtime.isClosed() ? null : scheduler.schedule(interval, this::round);
    } finally {
      lock.unlock();
    }
  }

  private void round() {
    try {
      runRound();
    } catch (RuntimeException e) {
      LOG.warn("health round of runtime '{}' failed; the next one runs as planned", name, e);
    } finally {
      if (!Thread.currentThread().isInterrupted()) {
        scheduleNext();
      }
    }
  }

  private void runRound() {
    RuntimeSnapshot snapshot = runtime.snapshot();
    Instant at = scheduler.now();
    long now = scheduler.nanoTime();
    Set<String> present = new HashSet<>();
    for (AgentSnapshot agent : snapshot.agents()) {
      present.add(agent.id());
      if (!filter.test(agent)) {
        continue;
      }
      AgentAttempts seen = attempts.computeIfAbsent(agent.id(), id -> new AgentAttempts());
      HealthCheck.Context context = seen.context(name, at, now, agent);
      HealthCheck.Result result = run(context);
      if (result == null) {
        return; // interrupted: the monitor is closing
      }
      judge(agent, result, at);
    }
    forgetAbsent(present);
  }

  private HealthCheck.@Nullable Result run(HealthCheck.Context context) {
    for (HealthCheck check : checks) {
      HealthCheck.Result r;
      try {
        r = Objects.requireNonNull(check.check(context), "a health check returned null");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (Exception e) {
        r = HealthCheck.Result.unhealthy("check " + check + " threw " + e);
      }
      if (!r.passed()) {
        return r;
      }
    }
    return HealthCheck.Result.healthy();
  }

  private void judge(AgentSnapshot agent, HealthCheck.Result result, Instant at) {
    String id = agent.id();
    Judgement before = judged.getOrDefault(id, Judgement.INITIAL);
    int failures = result.passed() ? 0 : saturatedIncrement(before.failures);
    int successes = result.passed() ? saturatedIncrement(before.successes) : 0;
    HealthStatus status = before.status;
    boolean markedDown = before.markedDown;
    HealthEvent event = null;
    if (status != HealthStatus.UNHEALTHY && failures >= failureThreshold) {
      status = HealthStatus.UNHEALTHY;
      boolean mark = agent.state() == AgentState.UP && setState(id, AgentState.DOWN);
      markedDown = mark;
      event = new AgentUnhealthy(at, name, id, failures, result.message(), mark);
    } else if (status == HealthStatus.UNHEALTHY && successes >= successThreshold) {
      status = HealthStatus.HEALTHY;
      boolean mark = markedDown && agent.state() == AgentState.DOWN && setState(id, AgentState.UP);
      markedDown = false;
      event = new AgentHealthy(at, name, id, successes, mark);
    } else if (status == HealthStatus.UNKNOWN) {
      status = HealthStatus.HEALTHY;
    }
    judged.put(id, new Judgement(status, failures, successes, at, result, markedDown));
    for (HealthMeters m : meters) {
      m.checked(id, result.passed());
      if (event != null) {
        m.transition(id, status);
      }
    }
    if (event != null) {
      LOG.info("runtime '{}': agent '{}' is {} ({})", name, id,
          status == HealthStatus.HEALTHY ? "healthy again" : "unhealthy", event);
      publish(event);
    }
  }

  private boolean setState(String agentId, AgentState state) {
    try {
      if (state == AgentState.DOWN) {
        runtime.markAgentDown(agentId);
      } else {
        runtime.markAgentUp(agentId);
      }
      return true;
    } catch (IllegalArgumentException e) {
      return false; // removed since the round's snapshot
    }
  }

  private static int saturatedIncrement(int n) {
    return n == Integer.MAX_VALUE ? n : n + 1;
  }

  private void publish(HealthEvent event) {
    for (Consumer<? super HealthEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("health listener {} failed on {}; ignored", listener, event, e);
      }
    }
  }

  /**
   * Drops what is kept of agents gone from the runtime. Judgements and meters go at once; the
   * attempts seen go once an agent was absent from two rounds in a row, since an attempt event of an
   * agent just added may arrive before the agent shows in a snapshot.
   */
  private void forgetAbsent(Set<String> present) {
    judged.keySet().retainAll(present);
    for (HealthMeters m : meters) {
      m.retainAll(present);
    }
    Set<String> absent = new HashSet<>(attempts.keySet());
    absent.removeAll(present);
    for (String id : absent) {
      if (absentLastRound.contains(id)) {
        attempts.remove(id);
      }
    }
    absentLastRound = absent;
  }

  // ------------------------------------------------------------------ runtime events

  private void onRuntimeEvent(RuntimeEvent event) {
    switch (event) {
      case AttemptStarted e -> attempts.computeIfAbsent(e.agentId(), id -> new AgentAttempts())
          .started(e.taskId(), e.attempt(), scheduler.nanoTime());
      case AttemptEnded e -> {
        AgentAttempts a = attempts.computeIfAbsent(e.agentId(), id -> new AgentAttempts());
        a.ended(e.taskId(), e.attempt());
        if (e.status() == AttemptEnded.Status.TIMED_OUT
            && TaskCause.of(e.failure()) == TaskCause.HEARTBEAT_TIMEOUT) {
          a.heartbeatTimeouts.incrementAndGet();
        }
      }
      case AgentAdded e -> forget(e.agent().id()); // a new agent with an old id starts afresh
      case AgentRemoved e -> forget(e.agentId());
      default -> { }
    }
  }

  private void forget(String agentId) {
    attempts.remove(agentId);
    judged.remove(agentId);
    for (HealthMeters m : meters) {
      m.remove(agentId);
    }
  }

  /** The attempts of one agent, as seen in the events. Thread-safe. */
  private static final class AgentAttempts {
    private final ConcurrentHashMap<AttemptKey, Long> running = new ConcurrentHashMap<>();
    final AtomicInteger heartbeatTimeouts = new AtomicInteger();

    void started(String taskId, int attempt, long nanos) {
      running.put(new AttemptKey(taskId, attempt), nanos);
    }

    void ended(String taskId, int attempt) {
      running.remove(new AttemptKey(taskId, attempt));
    }

    HealthCheck.Context context(String runtime, Instant at, long now, AgentSnapshot agent) {
      long longest = 0;
      int count = 0;
      for (long started : running.values()) {
        count++;
        longest = Math.max(longest, now - started);
      }
      return new HealthCheck.Context(runtime, at, agent, count, Duration.ofNanos(longest),
          heartbeatTimeouts.getAndSet(0));
    }
  }

  private record AttemptKey(String taskId, int attempt) {}

  /** The monitor's judgement of one agent after a check. */
  private record Judgement(
      HealthStatus status, int failures, int successes, @Nullable Instant lastAt,
      HealthCheck.@Nullable Result last, boolean markedDown) {
    static final Judgement INITIAL = new Judgement(HealthStatus.UNKNOWN, 0, 0, null, null, false);
  }

  /** The health meters in one registry. */
  private final class HealthMeters {
    final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter[]> agents = new ConcurrentHashMap<>();

    HealthMeters(MeterRegistry registry) {
      this.registry = registry;
    }

    void checked(String agentId, boolean healthy) {
      of(agentId)[healthy ? 0 : 1].increment();
    }

    void transition(String agentId, HealthStatus to) {
      of(agentId)[to == HealthStatus.HEALTHY ? 2 : 3].increment();
    }

    private Counter[] of(String agentId) {
      return agents.computeIfAbsent(agentId, id -> {
        Tags tags = Tags.of(MeterNames.RUNTIME_TAG, name, MeterNames.AGENT_TAG, id);
        String checksHelp = "Health checks of an agent, by result";
        String transitionsHelp = "Health status changes of an agent, by the status moved to";
        return new Counter[] {
            Counter.builder(names.healthChecks()).tags(tags.and(MeterNames.RESULT_TAG, "healthy"))
                .description(checksHelp).register(registry),
            Counter.builder(names.healthChecks()).tags(tags.and(MeterNames.RESULT_TAG, "unhealthy"))
                .description(checksHelp).register(registry),
            Counter.builder(names.healthTransitions())
                .tags(tags.and(MeterNames.STATUS_TAG, "healthy"))
                .description(transitionsHelp).register(registry),
            Counter.builder(names.healthTransitions())
                .tags(tags.and(MeterNames.STATUS_TAG, "unhealthy"))
                .description(transitionsHelp).register(registry)};
      });
    }

    void remove(String agentId) {
      Counter[] c = agents.remove(agentId);
      if (c != null) {
        for (Counter counter : c) {
          registry.remove(counter);
        }
      }
    }

    void retainAll(Set<String> present) {
      for (String id : List.copyOf(agents.keySet())) {
        if (!present.contains(id)) {
          remove(id);
        }
      }
    }

    void removeAll() {
      for (String id : List.copyOf(agents.keySet())) {
        remove(id);
      }
    }
  }

  /**
   * Builds and starts a {@link HealthMonitor}. Each setter checks its argument at once and names it
   * in the message; {@link #build()} leaves the builder unchanged and may be called again. Not
   * thread-safe.
   */
  public static final class Builder {
    private final AgentRuntime runtime;
    private Duration interval = DEFAULT_INTERVAL;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
    private final List<HealthCheck> checks = new ArrayList<>();
    private Predicate<AgentSnapshot> filter = AgentSnapshot::local;
    private MeterNames names = MeterNames.ofDefaults();
    private @Nullable Scheduler scheduler;
    private final List<Consumer<? super HealthEvent>> listeners = new ArrayList<>();

    private Builder(AgentRuntime runtime) {
      this.runtime = runtime;
    }

    /**
     * Sets the time between two rounds of checks. Default ten seconds.
     *
     * @param value a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws NullPointerException if null
     */
    public Builder interval(Duration value) {
      Objects.requireNonNull(value, "interval");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + value);
      }
      this.interval = value;
      return this;
    }

    /**
     * Sets how many failed checks in a row make an agent unhealthy (and mark it down). Default
     * {@value HealthMonitor#DEFAULT_FAILURE_THRESHOLD}.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder failureThreshold(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("failureThreshold must be at least 1, was " + value);
      }
      this.failureThreshold = value;
      return this;
    }

    /**
     * Sets how many passed checks in a row make an unhealthy agent healthy again (and mark it up).
     * Default {@value HealthMonitor#DEFAULT_SUCCESS_THRESHOLD}.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder successThreshold(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("successThreshold must be at least 1, was " + value);
      }
      this.successThreshold = value;
      return this;
    }

    /**
     * Adds a check; an agent passes a round when it passes every check, run in the order added.
     * Default, when none is added: {@link HealthCheck#noHeartbeatTimeouts()}.
     *
     * @param value the check
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder check(HealthCheck value) {
      checks.add(Objects.requireNonNull(value, "check"));
      return this;
    }

    /**
     * Sets which agents are checked, judged and reported. Default: local agents only; remote agents
     * are marked down and up by their cluster membership.
     *
     * @param value the filter, called at every round and report
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder agents(Predicate<AgentSnapshot> value) {
      this.filter = Objects.requireNonNull(value, "agents");
      return this;
    }

    /**
     * Sets the meter names. Default {@link MeterNames#ofDefaults()}.
     *
     * @param value the names
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder names(MeterNames value) {
      this.names = Objects.requireNonNull(value, "names");
      return this;
    }

    /**
     * Sets the clock and timer of the rounds; give the runtime's own scheduler to keep one timer.
     * Default: one daemon platform thread owned by the monitor and stopped by
     * {@link HealthMonitor#close()}; a scheduler given here is not stopped by the monitor.
     *
     * @param value the scheduler
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder scheduler(Scheduler value) {
      this.scheduler = Objects.requireNonNull(value, "scheduler");
      return this;
    }

    /**
     * Adds a listener of health events registered from the start.
     *
     * @param value the listener
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder listener(Consumer<? super HealthEvent> value) {
      listeners.add(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /**
     * Builds the monitor and starts it: it subscribes to the runtime's events at once and runs its
     * first round one interval later.
     *
     * @return the running monitor; close it to stop
     * @throws IllegalStateException if the runtime is closed
     */
    public HealthMonitor build() {
      if (runtime.isClosed()) {
        throw new IllegalStateException("runtime '" + runtime.name()
            + "' is closed; a health monitor needs a running runtime");
      }
      return new HealthMonitor(this);
    }
  }
}
