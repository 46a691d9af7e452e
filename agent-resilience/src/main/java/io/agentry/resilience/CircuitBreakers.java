package io.agentry.resilience;

import io.agentry.core.Subscription;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.spi.AgentGuard;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.Scheduler;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker per agent (outlier ejection): an agent whose attempts keep failing is taken out
 * of placement for a while, then let back in through a few probe attempts. Register it with the
 * runtime as a guard:
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="circuit"}
 *
 * <p>Each agent's circuit is {@link CircuitState#CLOSED} until its attempts trip a trigger of the
 * {@link CircuitBreakerConfig}; it is then {@link CircuitState#OPEN}: the runtime gives the agent no
 * task, and tasks go to other agents or wait. After {@code waitInOpen}, on the runtime's timer, it is
 * {@link CircuitState#HALF_OPEN}: the agent takes up to {@code halfOpenProbes} attempts; when all
 * succeed it closes, and the first failure opens it again. A probe that is cancelled gives its place
 * back. Every change is published to the {@link #onStateChange listeners}, and {@link #states()}
 * reads every circuit, for metrics.
 *
 * <p>A circuit counts attempts that failed or timed out as failures; the runtime reports only how an
 * attempt ended, not its exception, so a task that fails on bad input counts against the agent
 * too. Keep circuit breaking for failures that are the agent's (crashes, timeouts, overload), and
 * set the thresholds so that a few bad tasks cannot eject a healthy agent.
 *
 * <p>Belongs to one runtime: the runtime binds it when built, and a second binding throws. Thread-safe:
 * placement reads a volatile state without locking; each circuit changes under its own lock;
 * listeners run after that lock is released, one event at a time, in the order of the changes.
 */
public final class CircuitBreakers implements AgentGuard {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakers.class);

  private final CircuitBreakerConfig config;
  private final ConcurrentHashMap<String, Circuit> circuits = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<? super CircuitStateChanged>> listeners =
      new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<CircuitStateChanged> events = new ConcurrentLinkedQueue<>();
  private final ReentrantLock publishLock = new ReentrantLock();
  private final LongAdder listenerFailures = new LongAdder();
  private final AtomicBoolean bound = new AtomicBoolean();
  private volatile @Nullable Scheduler clock;
  private volatile Runnable wakeUp = () -> {};

  private CircuitBreakers(CircuitBreakerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Creates circuit breakers with the default settings ({@link CircuitBreakerConfig#ofDefaults()}).
   *
   * @return the circuit breakers, to register with one runtime
   */
  public static CircuitBreakers ofDefaults() {
    return of(CircuitBreakerConfig.ofDefaults());
  }

  /**
   * Creates circuit breakers.
   *
   * @param config the settings, the same for every agent
   * @return the circuit breakers, to register with one runtime
   * @throws NullPointerException if {@code config} is null
   */
  public static CircuitBreakers of(CircuitBreakerConfig config) {
    return new CircuitBreakers(config);
  }

  /**
   * Returns the settings.
   *
   * @return the settings
   */
  public CircuitBreakerConfig config() {
    return config;
  }

  /**
   * Returns the state of one agent's circuit.
   *
   * @param agentId the agent
   * @return its state; {@link CircuitState#CLOSED} for an agent not seen yet
   * @throws NullPointerException if {@code agentId} is null
   */
  public CircuitState state(String agentId) {
    Circuit c = circuits.get(Objects.requireNonNull(agentId, "agentId"));
    return c == null ? CircuitState.CLOSED : c.state;
  }

  /**
   * Returns the state of every agent's circuit that has seen an attempt end, for metrics.
   *
   * @return an immutable map from agent id to state, sorted by id
   */
  public Map<String, CircuitState> states() {
    Map<String, CircuitState> all = new TreeMap<>();
    circuits.forEach((id, c) -> all.put(id, c.state));
    return Collections.unmodifiableMap(new LinkedHashMap<>(all));
  }

  /**
   * Registers a listener told of every change of state, on the thread that caused it (the runtime's
   * timer, or the thread that reported an attempt's end). Listeners must be fast; one that throws is
   * logged at WARN and counted ({@link #listenerFailures()}), and changes nothing else.
   *
   * @param listener the listener
   * @return a subscription; closing it removes the listener
   * @throws NullPointerException if {@code listener} is null
   */
  public Subscription onStateChange(Consumer<? super CircuitStateChanged> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Returns how many times a listener threw.
   *
   * @return the count since creation
   */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  /**
   * Closes an agent's circuit at once and clears its counts (an operator's override). Harmless for an
   * agent not seen yet.
   *
   * @param agentId the agent
   * @throws NullPointerException if {@code agentId} is null
   */
  public void reset(String agentId) {
    Circuit c = circuits.get(Objects.requireNonNull(agentId, "agentId"));
    if (c != null) {
      boolean changed = c.reset();
      publish();
      if (changed) {
        wakeUp.run();
      }
    }
  }

  /**
   * Forgets an agent: drops its circuit and counts. The runtime does not tell guards that an agent
   * was removed, so a runtime whose agents come and go should call this after
   * {@code removeAgent}; otherwise each agent ever seen keeps a small record here.
   *
   * @param agentId the agent
   * @throws NullPointerException if {@code agentId} is null
   */
  public void forget(String agentId) {
    Circuit c = circuits.remove(Objects.requireNonNull(agentId, "agentId"));
    if (c != null) {
      c.cancelTimer();
    }
  }

  // ------------------------------------------------------------------ AgentGuard

  /**
   * Binds to the runtime's clock and wake-up; called by the runtime when it is built.
   *
   * @param clock the runtime's scheduler
   * @param wakeUp asks the runtime to place waiting tasks
   * @throws IllegalStateException if already bound to a runtime
   */
  @Override
  public void bind(Scheduler clock, Runnable wakeUp) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(wakeUp, "wakeUp");
    if (!bound.compareAndSet(false, true)) {
      throw new IllegalStateException("these CircuitBreakers are already bound to a runtime; "
          + "make one CircuitBreakers per runtime");
    }
    this.clock = clock;
    this.wakeUp = wakeUp;
  }

  /**
   * Admits an agent unless its circuit is open, or half-open with every probe taken.
   *
   * @param agent the agent
   * @return whether the agent may take an attempt now
   */
  @Override
  public boolean admits(AgentView agent) {
    Circuit c = circuits.get(agent.id());
    return c == null || c.admits();
  }

  /**
   * Takes a probe place when the agent's circuit is half-open.
   *
   * @param agent the agent
   */
  @Override
  public void attemptStarted(AgentView agent) {
    Circuit c = circuits.get(agent.id());
    if (c != null) {
      c.started();
    }
  }

  /**
   * Counts an attempt's end against its agent's circuit.
   *
   * @param agentId the agent
   * @param status how the attempt ended
   * @param nanos how long it ran
   */
  @Override
  public void attemptEnded(String agentId, AttemptEnded.Status status, long nanos) {
    Kind kind = switch (status) {
      case SUCCEEDED -> Kind.SUCCESS;
      case FAILED, TIMED_OUT -> Kind.FAILURE;
      case CANCELLED, LOST -> Kind.RELEASE;
    };
    Circuit c = circuits.get(agentId);
    if (c == null) {
      if (kind == Kind.RELEASE) {
        return;
      }
      c = circuits.computeIfAbsent(agentId, Circuit::new);
    }
    boolean wake = c.ended(kind);
    publish();
    if (wake) {
      wakeUp.run();
    }
  }

  @Override
  public String toString() {
    return "CircuitBreakers[" + config + "]";
  }

  // ------------------------------------------------------------------ internals

  private enum Kind { SUCCESS, FAILURE, RELEASE }

  private Scheduler clock() {
    Scheduler c = clock;
    if (c == null) {
      throw new IllegalStateException("CircuitBreakers used before a runtime bound them; register "
          + "them with AgentRuntime.builder().guard(...)");
    }
    return c;
  }

  /** Publishes queued events one at a time, in queue order; a listener's re-entry returns at once. */
  private void publish() {
    if (events.isEmpty() || publishLock.isHeldByCurrentThread()) {
      return;
    }
    publishLock.lock();
    try {
      CircuitStateChanged event;
      while ((event = events.poll()) != null) {
        for (Consumer<? super CircuitStateChanged> listener : listeners) {
          try {
            listener.accept(event);
          } catch (RuntimeException e) {
            listenerFailures.increment();
            LOG.warn("circuit listener {} failed on {}; ignored", listener, event, e);
          }
        }
      }
    } finally {
      publishLock.unlock();
    }
  }

  /** One agent's circuit. The state is read without a lock by placement; it changes under {@code lock}. */
  private final class Circuit {
    final String agentId;
    final ReentrantLock lock = new ReentrantLock();
    volatile CircuitState state = CircuitState.CLOSED;
    /** Half-open: probe places left; taken under the dispatch lock. */
    final AtomicInteger permits = new AtomicInteger();
    /** Half-open: probes started and not yet ended. */
    final AtomicInteger probesRunning = new AtomicInteger();
    // ---- guarded by lock
    final Outcomes window = Outcomes.of(config.slidingWindow());
    int consecutive;
    int probesSucceeded;
    long generation;
    Scheduler.@Nullable Cancellable timer;

    Circuit(String agentId) {
      this.agentId = agentId;
    }

    boolean admits() {
      CircuitState s = state;
      return s == CircuitState.CLOSED || s == CircuitState.HALF_OPEN && permits.get() > 0;
    }

    void started() {
      if (state == CircuitState.HALF_OPEN) {
        permits.decrementAndGet();
        probesRunning.incrementAndGet();
      }
    }

    /** Counts an attempt's end; returns whether the agent may have become admissible. */
    boolean ended(Kind kind) {
      lock.lock();
      try {
        return switch (state) {
          case CLOSED -> {
            if (kind != Kind.RELEASE) {
              countClosed(kind == Kind.FAILURE);
            }
            yield false;
          }
          case OPEN -> false; // an attempt that started before the circuit opened
          case HALF_OPEN -> endProbe(kind);
        };
      } finally {
        lock.unlock();
      }
    }

    private void countClosed(boolean failed) {
      long now = clock().nanoTime();
      window.record(failed, now);
      if (!failed) {
        consecutive = 0;
        return;
      }
      consecutive++;
      if (config.consecutiveFailures() > 0 && consecutive >= config.consecutiveFailures()) {
        open(consecutive + " consecutive failures");
        return;
      }
      if (config.failureRateThreshold().isPresent()) {
        int attempts = window.attempts(now);
        if (attempts >= config.minimumAttempts()) {
          int failures = window.failures(now);
          double rate = (double) failures / attempts;
          double threshold = config.failureRateThreshold().getAsDouble();
          if (rate >= threshold) {
            open("failure rate " + percent(rate) + " reached the threshold of " + percent(threshold)
                + " (" + failures + " of the last " + attempts + " attempts)");
          }
        }
      }
    }

    private boolean endProbe(Kind kind) {
      if (probesRunning.get() <= 0) {
        return false; // an attempt that started before the circuit turned half-open
      }
      probesRunning.decrementAndGet();
      switch (kind) {
        case SUCCESS -> {
          if (++probesSucceeded >= config.halfOpenProbes()) {
            transition(CircuitState.CLOSED, probesSucceeded + " probe(s) succeeded");
            return true;
          }
          return false;
        }
        case FAILURE -> {
          open("a probe failed in the half-open state");
          return false;
        }
        default -> {
          permits.incrementAndGet(); // a cancelled probe gives its place back
          return true;
        }
      }
    }

    /** Under the lock. */
    private void open(String reason) {
      transition(CircuitState.OPEN, reason);
      long gen = generation;
      Duration wait = config.waitInOpen();
      timer = clock().schedule(wait, () -> halfOpen(gen));
    }

    private void halfOpen(long gen) {
      lock.lock();
      try {
        if (state != CircuitState.OPEN || generation != gen) {
          return;
        }
        timer = null;
        transition(CircuitState.HALF_OPEN, "waited " + config.waitInOpen() + " in the open state");
      } finally {
        lock.unlock();
      }
      publish();
      wakeUp.run();
    }

    boolean reset() {
      lock.lock();
      try {
        if (state == CircuitState.CLOSED) {
          window.clear();
          consecutive = 0;
          return false;
        }
        transition(CircuitState.CLOSED, "reset by an operator");
        return true;
      } finally {
        lock.unlock();
      }
    }

    void cancelTimer() {
      lock.lock();
      try {
        generation++;
        Scheduler.Cancellable t = timer;
        timer = null;
        if (t != null) {
          t.cancel();
        }
      } finally {
        lock.unlock();
      }
    }

    /** Moves to a state with fresh counts and queues the event; under the lock. */
    private void transition(CircuitState to, String reason) {
      CircuitState from = state;
      generation++;
      Scheduler.Cancellable t = timer;
      timer = null;
      if (t != null) {
        t.cancel();
      }
      window.clear();
      consecutive = 0;
      probesSucceeded = 0;
      probesRunning.set(0);
      permits.set(to == CircuitState.HALF_OPEN ? config.halfOpenProbes() : 0);
      state = to;
      if (to == CircuitState.OPEN) {
        LOG.info("circuit of agent '{}' opened: {}", agentId, reason);
      } else {
        LOG.info("circuit of agent '{}' {} -> {}: {}", agentId, from, to, reason);
      }
      events.add(new CircuitStateChanged(clock().now(), agentId, from, to, reason));
    }
  }

  private static String percent(double rate) {
    return Math.round(rate * 1000) / 10.0 + "%";
  }
}
