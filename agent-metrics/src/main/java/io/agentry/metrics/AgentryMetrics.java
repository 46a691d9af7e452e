package io.agentry.metrics;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Binds an {@link AgentRuntime} to Micrometer: one call registers every {@code agentry.*} meter in a
 * {@link MeterRegistry}, and from then on the meters follow the runtime, including agents added and
 * removed while it runs (the meters of a removed agent leave the registry).
 *
 * <pre>{@code
 * AgentryMetrics metrics = AgentryMetrics.of(runtime);
 * metrics.bindTo(registry);                 // any MeterRegistry: Prometheus, OTLP, Simple...
 * AgentryMetrics.bindHostMetrics(registry); // JVM and system meters, if the host does not bind them
 * }</pre>
 *
 * <p><b>What is measured.</b> Counters and timers count from the moment of binding: tasks
 * submitted, rejected and completed (by outcome and {@link TaskCause cause}), attempts, retries,
 * timeouts, failovers, hedges, task duration and queue wait. What the runtime counts itself (tasks
 * submitted, attempts by outcome, tasks that succeeded, both timers) is read from
 * {@link AgentRuntime#taskCounts(String)} when the registry reads the meter, and the binding declines
 * the runtime's routine events ({@link io.agentry.core.spi.RuntimeListener#routineEvents()}): a task
 * that succeeds costs the binding nothing. The rest is counted from events. Gauges and the per-agent
 * function counters read the runtime's {@link AgentRuntime#snapshot() snapshot} lazily, when the
 * registry asks: tasks queued,
 * running and waiting to retry, agents by state, and per agent its attempts in flight, capacity,
 * utilization, state and attempts run. docs/metrics.md lists every meter with its type, unit and
 * tags; the names are in {@link MeterNames}.
 *
 * <p><b>Bounded tags.</b> Tags come only from bounded sets: the runtime name, the task name, the
 * agent id and enums. Task ids, exception messages and exception class names never become tags.
 * Task names are expected to be a small set (kinds of task, not one name per task); past
 * {@link Builder#maxTaskNames(int)} distinct names, further names are counted under the task name
 * {@code _other}. Every meter with a given name has the same tag keys.
 *
 * <p><b>Memory.</b> The binding keeps no state per task except, for the failover count, the failed
 * agent of a task between a retry decision and its next attempt; it is dropped when the attempt
 * starts or the task ends.
 *
 * <p>Thread-safety: thread-safe. {@link #bindTo(MeterRegistry)} may be called for several registries;
 * binding the same registry again does nothing. {@link #close()} unsubscribes from the runtime and
 * removes every meter this object registered.
 */
public final class AgentryMetrics implements MeterBinder, AutoCloseable {
  /** The default of {@link Builder#maxTaskNames(int)}. */
  public static final int DEFAULT_MAX_TASK_NAMES = 100;
  /** The default of {@link Builder#snapshotMaxAge(Duration)}: one second. */
  public static final Duration DEFAULT_SNAPSHOT_MAX_AGE = Duration.ofSeconds(1);

  private final AgentRuntime runtime;
  private final MeterNames names;
  private final boolean percentileHistograms;
  private final int maxTaskNames;
  private final Duration snapshotMaxAge;
  private final ReentrantLock lock = new ReentrantLock();
  private final CopyOnWriteArrayList<RuntimeBinding> bindings = new CopyOnWriteArrayList<>();
  private boolean closed; // guarded by lock

  private AgentryMetrics(Builder b) {
    this.runtime = b.runtime;
    this.names = b.names;
    this.percentileHistograms = b.percentileHistograms;
    this.maxTaskNames = b.maxTaskNames;
    this.snapshotMaxAge = b.snapshotMaxAge;
  }

  /**
   * Creates the binder of a runtime with every setting at its default.
   *
   * @param runtime the runtime to measure
   * @return the binder; call {@link #bindTo(MeterRegistry)} to register the meters
   * @throws NullPointerException if the runtime is null
   */
  public static AgentryMetrics of(AgentRuntime runtime) {
    return builder(runtime).build();
  }

  /**
   * Starts a builder for the binder of a runtime.
   *
   * @param runtime the runtime to measure
   * @return a new builder with every setting at its default
   * @throws NullPointerException if the runtime is null
   */
  public static Builder builder(AgentRuntime runtime) {
    return new Builder(Objects.requireNonNull(runtime, "runtime"));
  }

  /**
   * Registers the runtime's meters in a registry and keeps them up to date until {@link #close()}.
   * Counters count from this call on. Binding a registry already bound does nothing.
   *
   * @param registry the registry
   * @throws IllegalStateException if this binder is closed
   * @throws NullPointerException if the registry is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("AgentryMetrics of runtime '" + runtime.name()
            + "' is closed; create a new one to bind again");
      }
      for (RuntimeBinding b : bindings) {
        if (b.registry() == registry) {
          return;
        }
      }
      RuntimeBinding binding = new RuntimeBinding(this, registry);
      bindings.add(binding);
      binding.start();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Unsubscribes from the runtime and removes every meter this binder registered, in every registry.
   * Calling it again does nothing.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      for (RuntimeBinding b : bindings) {
        b.close();
      }
      bindings.clear();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Binds Micrometer's JVM and system meters: memory, garbage collection, threads, class loading,
   * processor, uptime, and the disk space of the working directory. They describe the host, not a
   * runtime, so bind them once per registry however many runtimes there are. A host framework (such
   * as Spring Boot) may bind them already.
   *
   * @param registry the registry
   * @return a handle whose {@code close()} stops the garbage-collection notifications; the meters stay
   *     registered
   * @throws NullPointerException if the registry is null
   */
  public static Subscription bindHostMetrics(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new DiskSpaceMetrics(Path.of("").toAbsolutePath().toFile()).bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc::close;
  }

  AgentRuntime runtime() {
    return runtime;
  }

  MeterNames names() {
    return names;
  }

  boolean percentileHistograms() {
    return percentileHistograms;
  }

  int maxTaskNames() {
    return maxTaskNames;
  }

  Duration snapshotMaxAge() {
    return snapshotMaxAge;
  }

  @Override
  public String toString() {
    return "AgentryMetrics[" + runtime.name() + "]";
  }

  /**
   * Builds an {@link AgentryMetrics}. Each setter checks its argument at once and names it in the
   * message; {@link #build()} leaves the builder unchanged and may be called again. Not thread-safe.
   */
  public static final class Builder {
    private final AgentRuntime runtime;
    private MeterNames names = MeterNames.ofDefaults();
    private boolean percentileHistograms;
    private int maxTaskNames = DEFAULT_MAX_TASK_NAMES;
    private Duration snapshotMaxAge = DEFAULT_SNAPSHOT_MAX_AGE;

    private Builder(AgentRuntime runtime) {
      this.runtime = runtime;
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
     * Sets whether the timers (task duration, queue wait) publish percentile histograms, which
     * backends such as Prometheus aggregate into percentiles across instances. Each histogram adds
     * about 70 series per timer and tag combination. With {@code true} the timers are Micrometer
     * {@code Timer}s fed by every task's events: they also publish their max, and registry filters
     * apply to them; the binding then receives the runtime's routine events, which costs about as
     * much time again as dispatching a no-op task. Default {@code false}: function timers read from
     * the runtime's counts, with count and total time only.
     *
     * @param value whether to publish histograms
     * @return this builder
     */
    public Builder percentileHistograms(boolean value) {
      this.percentileHistograms = value;
      return this;
    }

    /**
     * Sets how many distinct task names get meters of their own; the task name tag of every further
     * name is {@code _other}. Guards the registry against a runtime whose task names are not a small
     * set. Default {@value AgentryMetrics#DEFAULT_MAX_TASK_NAMES}; zero counts every task under
     * {@code _other}.
     *
     * @param value zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxTaskNames(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("maxTaskNames must not be negative, was " + value);
      }
      this.maxTaskNames = value;
      return this;
    }

    /**
     * Sets how long one runtime snapshot serves the gauges, measured on the registry's clock. A
     * scrape reads many gauges; sharing a snapshot among them takes the runtime's lock once and shows
     * one instant. Default one second; zero takes a snapshot for every gauge read.
     *
     * @param value a non-negative duration
     * @return this builder
     * @throws IllegalArgumentException if negative
     * @throws NullPointerException if null
     */
    public Builder snapshotMaxAge(Duration value) {
      Objects.requireNonNull(value, "snapshotMaxAge");
      if (value.isNegative()) {
        throw new IllegalArgumentException("snapshotMaxAge must not be negative, was " + value);
      }
      this.snapshotMaxAge = value;
      return this;
    }

    /**
     * Builds the binder; nothing is registered until {@link AgentryMetrics#bindTo(MeterRegistry)}.
     *
     * @return the binder
     */
    public AgentryMetrics build() {
      return new AgentryMetrics(this);
    }
  }
}
