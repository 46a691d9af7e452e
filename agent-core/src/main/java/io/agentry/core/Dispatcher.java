package io.agentry.core;

import io.agentry.core.event.AgentAdded;
import io.agentry.core.event.AgentRemoved;
import io.agentry.core.event.AgentStateChanged;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskRejected;
import io.agentry.core.event.TaskRetryScheduled;
import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.AttemptReport;
import io.agentry.core.spi.ContextPropagator;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.RuntimeListener;
import io.agentry.core.spi.Scheduler;
import io.agentry.core.spi.TaskQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The engine behind {@link AgentRuntime}: admission, the queue, late-binding placement, attempts,
 * timeouts, retries and the end of every task.
 *
 * <p>One {@link ReentrantLock} guards all placement state (queue, agent slots, task states). It is
 * held only for bookkeeping: user code (work, listeners, future callbacks, backends) runs after the
 * lock is released, through {@link Effects}. The queue, the selector and the policy's
 * {@code afterAttempt} are called under it, as their SPIs document.
 */
final class Dispatcher {
  static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);
  static final String MDC_TASK_ID = "agentry.task.id";
  static final String MDC_TASK_NAME = "agentry.task.name";
  static final String MDC_AGENT_ID = "agentry.agent.id";
  /** Room for blocked submitters to wake up after close; far below overflow for any capacity. */
  private static final int CLOSE_PERMITS = 1 << 30;
  /**
   * Whether the SLF4J provider keeps an MDC. Without one (slf4j-simple, slf4j-nop, no provider) every
   * MDC call is a no-op, so an attempt skips them and never formats its task id for them.
   */
  private static final boolean MDC_ON =
      !(MDC.getMDCAdapter() instanceof org.slf4j.helpers.NOPMDCAdapter);

  final String name;
  private final ReentrantLock lock = new ReentrantLock();
  /** close() waits here, outside the dispatch lock, for the last task to end and settle. */
  private final ReentrantLock closeLock = new ReentrantLock();
  private final Condition closeWake = closeLock.newCondition();
  /**
   * Attempts whose thread returned but did not wait for the dispatch lock: whoever holds the lock
   * ends them before releasing it (see {@link #unlock(Effects)} and docs/decisions.md, D16).
   */
  private final Handoff<AttemptRun> ends = new Handoff<>();
  private final TaskQueue queue;
  /** The queue is the built-in FIFO one: combine rounds may admit lazily (see {@link #admitsLazily}). */
  private final boolean fifo;
  private final AgentSelector selector;
  private final List<io.agentry.core.spi.AgentGuard> guards;
  private final ExecutionPolicy policy;
  private final List<ContextPropagator<Object>> propagators;
  private final CopyOnWriteArrayList<Listening> listeners = new CopyOnWriteArrayList<>();
  /** Events in the order they happened (queued under the dispatch lock), published one at a time. */
  private final EventQueue events = new EventQueue();
  private final ReentrantLock publishLock = new ReentrantLock();
  /** Tasks ended whose future is not yet completed; close() waits for them. */
  private final java.util.concurrent.atomic.AtomicInteger unsettled =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean listening;
  /** Whether a listener wants routine events (see {@link RuntimeListener#routineEvents()}). */
  private volatile boolean routineListening;
  private final Scheduler scheduler;
  private final @Nullable TimerScheduler ownedScheduler;
  private final Executor executor;
  /** The default executor: an attempt's thread goes on with the next local attempt its end started. */
  private final boolean chain;
  private final java.util.concurrent.ThreadFactory threads;
  private final Semaphore permits;
  private final int queueCapacity;
  private final Backpressure backpressure;
  private final Duration affinityWait;
  private final Duration shutdownGrace;
  private final long baseNanos;
  private final Instant baseInstant;
  private final ConcurrentHashMap<String, TaskRun<?>> userIds = new ConcurrentHashMap<>();
  /** Idempotency: the execution in flight per key, and recent successes per key. */
  private final ConcurrentHashMap<String, TaskRun<?>> byIdempotencyKey = new ConcurrentHashMap<>();
  private final com.github.benmanes.caffeine.cache.@Nullable Cache<String, TaskRun<?>> results;
  private final Predicate<QueuedTask> startable = q -> startable((TaskRun<?>) q);
  private final LongAdder rejected = new LongAdder();
  final LongAdder listenerFailures = new LongAdder();

  // ---- guarded by lock
  private final Map<String, AgentSlot> agents = new LinkedHashMap<>();
  private List<AgentSlot> upAgents = List.of();
  /** Registered agents with a backend, which may refuse some tasks ({@code AgentBackend.canRun}). */
  private int backendAgents;
  private static final int MAX_CACHED_NEEDS = 256;
  private final Map<Need, List<AgentSlot>> eligibleByNeed = new java.util.HashMap<>();
  private int freeSlots;
  private final java.util.concurrent.atomic.AtomicLong sequence =
      new java.util.concurrent.atomic.AtomicLong();
  private int active;
  private int queued;
  private int running;
  private final Set<TaskRun<?>> retryWaiting = new HashSet<>();
  /** Per-key ordering: a key is held while it maps here; the deque holds the tasks waiting for it. */
  private final Map<String, ArrayDeque<TaskRun<?>>> keyLanes = new java.util.HashMap<>();
  private long submitted;
  private long succeeded;
  private long failed;
  private long cancelled;
  private long timedOut;
  private volatile boolean closed;
  private boolean terminated;

  @SuppressWarnings("unchecked")
  Dispatcher(AgentRuntime.Builder b) {
    this.name = b.name;
    this.queue = b.queue != null ? b.queue : new FifoQueue();
    this.fifo = queue instanceof FifoQueue;
    this.selector = b.selector != null ? b.selector : AgentSelector.roundRobin();
    this.guards = List.copyOf(b.guards);
    this.policy = b.policy;
    List<ContextPropagator<Object>> props = new ArrayList<>();
    props.add((ContextPropagator<Object>) (ContextPropagator<?>) MdcPropagator.INSTANCE);
    for (ContextPropagator<?> p : b.propagators) {
      props.add((ContextPropagator<Object>) p);
    }
    this.propagators = List.copyOf(props);
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownedScheduler = null;
    } else {
      this.ownedScheduler = new TimerScheduler(name);
      this.scheduler = ownedScheduler;
    }
    this.chain = b.executor == null;
    if (b.executor != null) {
      this.executor = b.executor;
    } else {
      // unnamed: naming every attempt's thread cost about 4% of dispatch time and 130 bytes a task
      // (the MDC and thread dumps' stacks say which task a thread runs)
      java.util.concurrent.ThreadFactory factory = Thread.ofVirtual().factory();
      this.executor = r -> factory.newThread(r).start();
    }
    this.threads = Thread.ofVirtual().factory();
    this.results = b.resultCacheSize == 0 ? null
        : com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
            .maximumSize(b.resultCacheSize)
            .expireAfterWrite(b.resultCacheExpiry)
            .executor(Runnable::run) // maintenance inline: never the common pool
            .<String, TaskRun<?>>build();
    this.queueCapacity = b.queueCapacity;
    this.permits = new Semaphore(b.queueCapacity);
    this.backpressure = b.backpressure;
    this.affinityWait = b.affinityWait;
    this.shutdownGrace = b.shutdownGrace;
    this.baseNanos = scheduler.nanoTime();
    this.baseInstant = scheduler.now();
    this.queue.bind(scheduler);
    this.selector.bind(scheduler);
    for (io.agentry.core.spi.AgentGuard guard : guards) {
      guard.bind(scheduler, this::wakeUp);
    }
    b.listeners.forEach(this::subscribe);
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      for (Agent agent : b.agents.values()) {
        addAgentLocked(agent, fx);
      }
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  /**
   * On the runtime's own timer thread, hands these effects to a new virtual thread and returns true.
   * The timer thread never waits to publish events or runs future callbacks: it must stay free to
   * fire the next timeout, which may be the interrupt that frees a carrier thread that the waiting
   * would need.
   */
  boolean handOffTimer(Effects fx) {
    if (ownedScheduler == null || !ownedScheduler.isTimerThread()) {
      return false;
    }
    try {
      threads.newThread(() -> fx.apply(this)).start();
    } catch (RuntimeException | Error e) {
      return false; // no thread to be had: apply them here
    }
    return true;
  }

  private void wakeClose() {
    closeLock.lock();
    try {
      closeWake.signalAll();
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Takes the dispatch lock, trying a few times before parking on it: the lock is held for well under
   * a microsecond, and a thread that parks on it takes many microseconds to come back.
   */
  private void lockSpinning() {
    for (int i = 0; i < SPINS; i++) {
      if (lock.tryLock()) {
        return;
      }
      Thread.onSpinWait();
    }
    if (Thread.currentThread().isVirtual()) {
      lock.lock();
      return;
    }
    // A platform thread (the timer thread, a submitter, a caller of cancel or snapshot) first polls:
    // the lock is handed to the first thread in its queue, and when that is a virtual thread while
    // every carrier thread runs work that waits for a timeout to interrupt it, the timer thread
    // would wait behind it for ever. It takes the lock when it is free; only after a few
    // milliseconds of finding it taken does it queue, so that threads that keep taking it cannot
    // starve it.
    long pause = 1_000;
    for (int i = 0; i < PLATFORM_POLLS; i++) {
      java.util.concurrent.locks.LockSupport.parkNanos(pause);
      if (lock.tryLock()) {
        return;
      }
      pause = Math.min(pause * 2, 20_000);
    }
    lock.lock();
  }

  private static final int PLATFORM_POLLS = 200;


  private static final int SPINS = 64;

  long nanoTime() {
    return scheduler.nanoTime();
  }

  Instant instantOf(long nanos) {
    return baseInstant.plusNanos(nanos - baseNanos);
  }

  private Instant now() {
    return instantOf(scheduler.nanoTime());
  }

  // ------------------------------------------------------------------ submission

  enum Admission { BACKPRESSURE, TIMED }

  <T extends @Nullable Object> @Nullable TaskRun<T> submit(Task<T> task, Admission mode, long waitNanos) {
    java.util.Objects.requireNonNull(task, "task");
    if (closed) {
      throw reject(task, "runtime '" + name + "' is closed; tasks must be submitted before close()");
    }
    String key = task.rawIdempotencyKey();
    if (key != null) {
      TaskRun<T> shared = shared(key);
      if (shared != null) {
        return shared;
      }
    }
    if (!admit(task, mode, waitNanos)) {
      return null;
    }
    TaskRun<T> run;
    try {
      run = newRun(task);
      if (key != null) {
        TaskRun<?> prior;
        while ((prior = byIdempotencyKey.putIfAbsent(key, run)) != null) {
          if (!prior.state.isTerminal() || prior.state == TaskState.SUCCEEDED) {
            permits.release();
            @SuppressWarnings("unchecked")
            TaskRun<T> same = (TaskRun<T>) prior;
            return same;
          }
          byIdempotencyKey.remove(key, prior); // it ended without success: run again
        }
      }
      if (run.userId != null && userIds.putIfAbsent(run.userId, run) != null) {
        if (key != null) {
          byIdempotencyKey.remove(key, run);
        }
        throw reject(task, "a task with id '" + run.userId + "' is already in flight in runtime '"
            + name + "'");
      }
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    return accept(run, true);
  }

  /** The execution or recent success a task with this idempotency key shares, if any. */
  @SuppressWarnings("unchecked")
  private <T extends @Nullable Object> @Nullable TaskRun<T> shared(String key) {
    TaskRun<?> hit = results == null ? null : results.getIfPresent(key);
    if (hit == null) {
      hit = byIdempotencyKey.get(key);
      if (hit != null && hit.state.isTerminal() && hit.state != TaskState.SUCCEEDED) {
        hit = null;
      }
    }
    return (TaskRun<T>) hit;
  }

  /**
   * Submits a task that the runtime itself creates (a shard, a compensation): it does not wait for
   * or take room in the queue bound, since its graph or parent was admitted already. Graph nodes go
   * in by {@link #acceptNodes}.
   */
  <T extends @Nullable Object> TaskRun<T> submitInternal(Task<T> task) {
    return submitInternal(task, capture());
  }

  /**
   * As {@link #submitInternal(Task)}, with contexts captured earlier: a graph's compensations carry
   * the context of the thread that executed the graph.
   */
  <T extends @Nullable Object> TaskRun<T> submitInternal(Task<T> task,
      Object @Nullable [] contexts) {
    if (closed) {
      throw reject(task, "runtime '" + name + "' is closed; tasks must be submitted before close()");
    }
    return accept(newRun(task, contexts), false);
  }

  /** A graph node's run, made but not yet handed in: see {@link #acceptNodes}. */
  <T extends @Nullable Object> TaskRun<T> newNodeRun(Task<T> task, GraphRun graph, int node,
      Object @Nullable [] contexts, long submitNanos) {
    TaskRun<T> run = newRun(task, contexts, submitNanos);
    run.graph = graph;
    run.node = node;
    return run;
  }

  /**
   * Hands in the runs of graph nodes that became ready together, then takes them in once (one
   * combine for the batch, not one a node).
   *
   * @return null if they were handed in; else, the runtime being closed, the exception each node
   *     ends with (none was handed in)
   */
  @Nullable RejectedTaskException acceptNodes(TaskRun<?>[] runs, int count,
      @Nullable Effects deferTo) {
    boolean armed = false;
    if (!closed) {
      try {
        for (int k = 0; k < count; k++) {
          armTimers(runs[k]);
        }
        armed = true;
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the runtime's timer is shut down: close() is ending the runtime
      }
    }
    if (!armed) {
      return reject(runs[0].task, "runtime '" + name + "' is closed; tasks must be submitted before close()");
    }
    long seq = sequence.getAndAdd(count);
    for (int k = 0; k < count; k++) {
      TaskRun<?> run = runs[k];
      run.seq = ++seq;
      run.holdsPermit = false;
    }
    submissions.addAll(runs, count); // one atomic swap for the batch
    if (deferTo != null) {
      deferTo.nodesHandedIn(); // the thread running the graph step takes them in right after
    } else {
      combine(false);
    }
    return null;
  }

  /** Captures the current thread's contexts for tasks submitted later on other threads. */
  Object @Nullable [] captureContexts() {
    return capture();
  }

  private <T extends @Nullable Object> TaskRun<T> newRun(Task<T> task) {
    return newRun(task, capture());
  }

  private <T extends @Nullable Object> TaskRun<T> newRun(Task<T> task,
      Object @Nullable [] contexts) {
    return newRun(task, contexts, scheduler.nanoTime());
  }

  private <T extends @Nullable Object> TaskRun<T> newRun(Task<T> task,
      Object @Nullable [] contexts, long submitNanos) {
    ExecutionPolicy p = task.rawPolicy() != null ? task.rawPolicy() : policy;
    TaskTimeouts t = p == ExecutionPolicy.ofDefaults()
        ? task.timeouts()
        : task.timeouts().orElse(p.timeouts(task));
    return new TaskRun<>(this, task, p, t, submitNanos, contexts, tally(task.name()));
  }

  /**
   * The counts of a task name, made on its first submit. The last one found is kept aside: a task
   * submitted again and again (or many tasks of one name) finds it without hashing the name.
   */
  private TaskCounts.Tally tally(String taskName) {
    TaskCounts.Tally t = lastTally; // a racy read is fine: only the final name is read from it
    if (t != null && t.name == taskName) {
      return t;
    }
    t = tallies.get(taskName);
    if (t == null && (tallies.size() < TaskCounts.MAX_NAMES
        || (t = tallies.get(TaskCounts.OTHER_NAMES)) == null)) {
      t = newTally(taskName);
    }
    lastTally = t;
    return t;
  }

  /** A name's first submit: its tally, or the shared one past {@link TaskCounts#MAX_NAMES} names. */
  private TaskCounts.Tally newTally(String taskName) {
    tallyLock.lock(); // rare (once per name): keeps the count of names within the bound
    try {
      TaskCounts.Tally t = tallies.get(taskName);
      if (t == null) {
        String key = tallies.size() < TaskCounts.MAX_NAMES ? taskName : TaskCounts.OTHER_NAMES;
        t = tallies.get(key);
        if (t == null) {
          t = new TaskCounts.Tally(key);
          tallies.put(key, t);
        }
      }
      return t;
    } finally {
      tallyLock.unlock();
    }
  }

  private final ReentrantLock tallyLock = new ReentrantLock();

  /** Counts per task name; the tallies are changed under the dispatch lock (see {@link TaskCounts}). */
  private final java.util.concurrent.ConcurrentHashMap<String, TaskCounts.Tally> tallies =
      new java.util.concurrent.ConcurrentHashMap<>();
  private TaskCounts.@Nullable Tally lastTally;

  /** Copies the counts of one task name; see {@link AgentRuntime#taskCounts(String)}. */
  java.util.Optional<TaskCounts> taskCounts(String taskName) {
    java.util.Objects.requireNonNull(taskName, "taskName");
    TaskCounts.Tally t = tallies.get(taskName);
    if (t == null) {
      return java.util.Optional.empty(); // never submitted, or counted under OTHER_NAMES
    }
    Effects fx = new Effects();
    TaskCounts copy;
    lockSpinning();
    try {
      catchUp(fx);
      copy = t.copy();
    } finally {
      lock.unlock();
      fx.apply(this);
    }
    return java.util.Optional.of(copy);
  }

  /** Copies the counts of every task name; see {@link AgentRuntime#taskCounts()}. */
  java.util.Map<String, TaskCounts> taskCounts() {
    Effects fx = new Effects();
    java.util.TreeMap<String, TaskCounts> copy = new java.util.TreeMap<>();
    lockSpinning();
    try {
      catchUp(fx); // what was submitted or ended before this call is counted
      for (TaskCounts.Tally t : tallies.values()) {
        copy.put(t.name, t.copy());
      }
    } finally {
      lock.unlock();
      fx.apply(this);
    }
    return java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * Hands a new run to the dispatcher: it is queued for the dispatch lock and taken in now if the
   * lock is free, else by the thread that holds it (see {@link #combine}). Either way it is in before
   * any later operation under the lock.
   */
  private <T extends @Nullable Object> TaskRun<T> accept(TaskRun<T> run, boolean permit) {
    run.seq = sequence.incrementAndGet();
    run.holdsPermit = permit;
    boolean armed = false;
    if (!closed) {
      try {
        armTimers(run);
        armed = true;
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the runtime's timer is shut down: close() is ending the runtime; a late submit as above
      }
    }
    if (!armed) {
      if (permit) {
        permits.release();
      }
      if (run.userId != null) {
        userIds.remove(run.userId, run);
      }
      throw reject(run.task, "runtime '" + name + "' is closed; tasks must be submitted before close()");
    }
    submissions.add(run);
    if (Thread.currentThread().isVirtual()) {
      combine(false);
    } else {
      handOffSubmits();
    }
    return run;
  }

  /**
   * Sets a new run's deadline and queue timeout when it is submitted, before it is handed in: they
   * count from the submit, whenever the run is taken in. A timer that fires before the run was taken
   * in (its add still under way) looks again a moment later.
   */
  private void armTimers(TaskRun<?> run) {
    Duration deadline = run.timeouts.rawDeadline();
    if (deadline != null) {
      run.deadlineNanos = run.submitNanos + deadline.toNanos();
      run.deadlineTimer = scheduler.schedule(deadline, () -> deadlinePassed(run));
    }
    Duration queueTimeout = run.timeouts.rawQueueTimeout();
    if (queueTimeout != null) {
      run.queueTimer = scheduler.schedule(queueTimeout, () -> queueTimeoutPassed(run));
    }
  }

  /** How long a timer that found its run not yet taken in waits before it looks again. */
  private static final Duration NOT_YET_ADMITTED = Duration.ofNanos(100_000);

  /**
   * A platform thread's submit: leaves the taking in to a virtual thread, started when none is
   * about to run (see {@link #combinerLoop}), or to the thread combining now. A platform thread that
   * took the dispatch lock to take in its own submit did it one task a round, the costliest way, and
   * in some JVMs the runtime then settled into small batches and ran half as fast (likely: the
   * submitter descheduled while holding the lock, with two cores shared by it and two carriers;
   * docs/decisions.md, D18).
   */
  private void handOffSubmits() {
    if (combining || combinerRequested || !takesSubmissions()) {
      // the holder looks again after it lets go; a requested combiner looks after it is cleared;
      // with no slot free, the submit waits in the hand-off queue for one (D22)
      return;
    }
    if (COMBINER_REQUESTED.compareAndSet(this, false, true)) {
      try {
        threads.newThread(combinerLoop).start();
      } catch (RuntimeException | Error e) {
        combinerRequested = false;
        combine(false); // no thread to be had: take it in here
      }
    }
  }

  /** The body of the virtual thread that takes platform threads' submits in. */
  private void combineRequested() {
    while (true) {
      combine(false);
      combinerRequested = false;
      if ((!takesSubmissions() && ends.isEmpty()) || combining) {
        return; // nothing left, or the thread combining now looks at the queues after it lets go
      }
      if (!COMBINER_REQUESTED.compareAndSet(this, false, true)) {
        return; // a submitter requested another combiner
      }
    }
  }

  /** Set while a combiner for platform threads' submits is started or running. */
  @SuppressWarnings("unused") // through COMBINER_REQUESTED
  private volatile boolean combinerRequested;
  private static final java.lang.invoke.VarHandle COMBINER_REQUESTED = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), Dispatcher.class, "combinerRequested", boolean.class);
  private final Runnable combinerLoop = this::combineRequested;

  /** Takes in a submitted run: counts it, sets its timers, queues it; under the lock. */
  private void admitLocked(TaskRun<?> run, Effects fx) {
    admitLocked(run, fx, false);
  }

  /**
   * As {@link #admitLocked(TaskRun, Effects)}; with {@code placeNow} (nothing is queued before it),
   * a run that can start now is placed at once instead of going through the queue.
   */
  private void admitLocked(TaskRun<?> run, Effects fx, boolean placeNow) {
    run.admitted = true;
    active++;
    submitted++;
    run.tally.submitted++;
    queued++; // a new run starts in QUEUED
    if (terminated) {
      // submitted while close() ran and after it cancelled what was left: it ends at once
      run.heldByKey = true; // it never took its key; finish() must not release it
      finish(run, TaskState.CANCELLED, null, null,
          "runtime '" + name + "' closed before the task started", fx);
      return;
    }
    if (listening && (routineListening || !run.tally.announced)) {
      // a name's first submit is published to every listener (it tells them of the name)
      emit(fx, new PendingEvents.Submitted(run, run.submitNanos), run.tally.announced);
      run.tally.announced = true;
    }
    // the queue wait counts from the submit, however long the run waited in the hand-off queue
    // (with lazy admission, until a slot was free: D22)
    run.enqueuedNanos = run.submitNanos;
    if (!holdKeyOrWait(run)) {
      if (placeNow && startable(run)) {
        place(run, fx);
      } else {
        queue.add(run);
      }
    }
  }

  /**
   * Takes in what threads queued for the dispatch lock without waiting for it: attempts that ended,
   * then new submissions, in the order they came; then places what can start. Every section under
   * the lock begins with this, so it sees every submit and attempt end that happened before it.
   */
  private void catchUp(Effects fx) {
    catchUp(fx, null);
  }

  /**
   * Whether combine rounds admit submissions only as slots free up (docs/decisions.md, D22): with the
   * built-in FIFO queue, no listener that wants routine events, and the runtime open. A submission
   * then waits in the hand-off queue, the FIFO queue's tail, until a slot is free for it, and is
   * taken in, placed and started in one go, while its run is in this thread's cache: taking in
   * every submit at once and placing it later touched each run twice, the second time long after,
   * and on the lock's serial path. Every other section (a snapshot, the counts, a cancel, a timer,
   * close) still takes in everything first, so it sees every submit made before it.
   */
  private boolean admitsLazily() {
    return fifo && !routineListening && !closed;
  }

  /**
   * Whether a combine round would take in a submission now: there is one, and either admission is
   * eager or a slot is free. Read without the lock: a thread that queued a submission reads it after
   * its add (an atomic swap), and the thread that frees a slot reads the queue after it lets the
   * lock go (see {@link #slotsFreed}), so one of them takes the submission in. The free-slot count
   * itself is written plainly under the lock and read here opaquely; the handshake leans on the
   * swap and the unlock being full fences, as they are in HotSpot on every platform it supports.
   */
  private boolean takesSubmissions() {
    return !submissions.isEmpty() && (!admitsLazily() || (int) FREE_SLOTS.getOpaque(this) > 0);
  }

  private static final java.lang.invoke.VarHandle FREE_SLOTS = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), Dispatcher.class, "freeSlots", int.class);

  /**
   * After a section that freed slots let the lock go: takes in (or has a combiner take in)
   * submissions that waited in the hand-off queue for a slot. Combine rounds look by themselves.
   */
  void slotsFreed() {
    if (combining || !takesSubmissions()) {
      return; // the holder looks at the queues after it lets go
    }
    if (Thread.currentThread().isVirtual()) {
      combine(false);
    } else {
      handOffSubmits();
    }
  }

  /** As {@link #catchUp(Effects)}, first taking in an attempt end that was never queued. */
  private void catchUp(Effects fx, @Nullable AttemptRun ownEnd) {
    catchUp(fx, ownEnd, false);
  }

  /**
   * As {@link #catchUp(Effects, AttemptRun)}; {@code lazy} (a combine round) admits submissions only
   * while a slot is free and nothing is queued, each placed as soon as it is admitted (see
   * {@link #admitsLazily}).
   */
  private void catchUp(Effects fx, @Nullable AttemptRun ownEnd, boolean lazy) {
    if (lock.getHoldCount() != 1) {
      assert ownEnd == null;
      return; // a nested section: the outer one caught up
    }
    batchNanos = -1;
    batching = true;
    try {
      // Ends first, then submits, and only then is anything placed: a slot an end freed goes to
      // the best task by the queue's order among all that were submitted, including those whose
      // submits came before the end but were still in the hand-off queue.
      boolean any = false;
      if (ownEnd != null) {
        takeInEnd(ownEnd, fx);
        any = true;
      }
      AttemptRun a;
      while ((a = ends.poll()) != null) {
        takeInEnd(a, fx);
        any = true;
      }
      TaskRun<?> r;
      boolean eager = !(lazy && admitsLazily());
      if (!eager) {
        if (any) {
          dispatchLocked(fx); // the slots the ends freed go to what was queued first
          any = false;
        }
        while (freeSlots > 0 && queue.size() == 0 && (r = submissions.poll()) != null) {
          admitLocked(r, fx, true); // placed at once if it can start, else queued
          batchTick();
        }
        // a run that could not start though a slot is free (no eligible agent has room) waits in
        // the queue: what came after it is taken in behind it, as eager admission does
        eager = freeSlots > 0 && queue.size() > 0;
      }
      if (eager) {
        any |= admitWaiting(fx);
      }
      if (any) {
        dispatchLocked(fx);
      }
    } finally {
      batching = false;
      if (batchSettles != 0) {
        unsettled.addAndGet(batchSettles); // before the lock is let go: close() counts on it
        batchSettles = 0;
      }
    }
  }

  /** Takes in an attempt end an attempt thread recorded; under the lock. */
  private void takeInEnd(AttemptRun a, Effects fx) {
    endLocked(a, a.endResult, a.endFailure, a.endNanos, fx);
    batchTick();
  }

  /** Takes in every submit waiting in the hand-off queue; under the lock. Returns whether any. */
  private boolean admitWaiting(Effects fx) {
    boolean any = false;
    TaskRun<?> r;
    while ((r = submissions.poll()) != null) {
      admitLocked(r, fx);
      batchTick();
      any = true;
    }
    return any;
  }

  /** Counts an item of a batch; every 64 the batch's time is read again, so it is never far behind. */
  private void batchTick() {
    if ((++batchItems & 63) == 0) {
      batchNanos = -1;
    }
  }

  /**
   * While {@link #catchUp} takes in a batch, the time read once for every 64 items of it (-1 until
   * read): what it admits and starts is stamped with it, a few microseconds early at most. The clock
   * costs over 20 ns a read; five reads a task were 7% of the dispatch benchmark's time. Under the
   * lock.
   */
  private long batchNanos;
  private boolean batching;
  private int batchItems;
  /** Tasks a batch ended whose futures are yet to complete: one atomic add for the batch. */
  private int batchSettles;

  /** The time now, or the batch's time while {@link #catchUp} takes in a batch; under the lock. */
  private long lockedNanos() {
    if (!batching) {
      return scheduler.nanoTime();
    }
    long t = batchNanos;
    if (t < 0) {
      t = scheduler.nanoTime();
      batchNanos = t;
    }
    return t;
  }


  /**
   * Makes sure what this thread queued for the dispatch lock (a submission, an attempt end) is taken
   * in: it takes the lock and catches up; or, when the lock is held by a thread that is itself
   * combining (it looks at the queues again after it lets the lock go), leaves it to that thread.
   * It waits for the lock only while a section that does not combine holds it.
   *
   * @param onAttemptThread the caller is an attempt thread that takes the next ready attempt itself
   */
  void combine(boolean onAttemptThread) {
    AttemptRun kept = combine(onAttemptThread, false, null);
    assert kept == null;
  }

  /**
   * As {@link #combine(boolean)}; with {@code keep}, the calling attempt thread keeps one local
   * attempt its rounds placed, to run next itself, instead of putting it in the ready queue and
   * taking one back out (it is handed to the ready queue after all if the effects may run user
   * code, which may wait for it).
   *
   * @param ownEnd the caller's own attempt end, not yet queued: taken in directly when the lock is
   *     free at once, else queued like any other
   * @return the attempt kept, or null
   */
  private @Nullable AttemptRun combine(boolean onAttemptThread, boolean keep,
      @Nullable AttemptRun ownEnd) {
    if (lock.isHeldByCurrentThread()) { // no user code runs under the lock, so no submit either
      throw new IllegalStateException("submit or attempt end under the dispatch lock");
    }
    // What was taken in is launched at once, but its other effects (publishing, completing futures,
    // so user callbacks) wait until the queues are empty: a callback must never run while a submit
    // or an end that another thread left to this one waits (it may wait for that very task).
    Effects fx = null;
    ArrayList<Effects> later = null;
    AttemptRun kept = null;
    boolean looped = false;
    try {
      AttemptRun own = ownEnd;
      if (own != null && (combining || !lock.tryLock())) {
        // queued first, then the flag is read again (below): the holder looks at the queues after
        // it lets the lock go, so the end is never left behind
        ends.add(own);
        own = null;
      }
      while (own != null || !ends.isEmpty() || takesSubmissions()) {
        // the holder looks at the queues again after it lets the lock go. Read the flag before
        // trying the lock: a failed compare-and-set takes the lock's cache line from the holder
        if (own == null) {
          if (combining) {
            break;
          }
          if (!lock.tryLock()) {
            if (!awaitLockOrCombiner()) {
              break;
            }
          }
        }
        Effects round = new Effects();
        combining = true;
        try {
          catchUp(round, own, true); // the own end (lock taken above) goes first, before queued ones
        } finally {
          own = null;
          combining = false;
          lock.unlock();
        }
        AttemptRun k = round.launchNow(this, onAttemptThread, keep && kept == null, kept != null);
        if (k != null) {
          kept = k;
        }
        round.takenInByLoop(); // graph nodes its steps handed in: the next round takes them in
        round.publishNow(this);
        if (fx == null) {
          fx = round;
        } else {
          if (later == null) {
            later = new ArrayList<>();
          }
          later.add(round);
        }
      }
      looped = true;
    } finally {
      if (kept != null && (!looped || fx == null)) {
        AttemptRun k = kept; // a throw leaves this thread: a thread of its own runs it
        kept = null;
        ready(k);
      }
      // The kept attempt rides along with each list applied: a list hands it to the ready queue,
      // with a thread, before it runs user code (a future's dependents, an action), which might
      // wait for that very attempt's task (Effects.beforeUserCode).
      Effects applying = null;
      try {
        if (fx != null) {
          applying = fx;
          fx.keep(kept);
          kept = null;
          fx.apply(this, onAttemptThread);
          kept = fx.takeKept();
          if (later != null) {
            for (Effects round : later) {
              applying = round;
              round.keep(kept);
              kept = null;
              round.apply(this, onAttemptThread);
              kept = round.takeKept();
            }
          }
        }
        applying = null;
      } finally {
        if (applying != null) {
          AttemptRun k = applying.takeKept();
          if (k != null) {
            ready(k); // never lost: the caller does not get it
          }
        }
      }
    }
    return kept;
  }

  /** Puts a kept local attempt in the ready queue after all, with a thread for it. */
  void ready(AttemptRun attempt) {
    ready.add(attempt);
    readyCount.incrementAndGet();
    ensureThreads(0, 1, MAX_STARTING);
  }

  /**
   * The lock was taken but not by a combiner that was seen: it may be one about to say so, or a short
   * section that does not combine (a timer, a cancel, a snapshot). Spins briefly for either, then
   * waits for the lock (spinning with {@code Thread.yield()} starved the holder of carrier threads).
   *
   * @return true with the lock held; false if a combiner holds it (it takes in what was queued)
   */
  private boolean awaitLockOrCombiner() {
    for (int i = 0; i < SPINS; i++) {
      Thread.onSpinWait();
      if (combining) {
        return false;
      }
      if (lock.tryLock()) {
        return true;
      }
    }
    lockSpinning();
    return true;
  }

  /** True while a thread holds the dispatch lock in {@link #combine} and will look at the queues again. */
  private volatile boolean combining;
  /** Submissions waiting for the dispatch lock; see {@link #combine}. */
  private final Handoff<TaskRun<?>> submissions = new Handoff<>();


  <I extends @Nullable Object, R extends @Nullable Object> List<R> fanOut(
      String shardName, List<? extends I> inputs, Shard<I, R> shard) throws InterruptedException {
    java.util.Objects.requireNonNull(shardName, "name");
    java.util.Objects.requireNonNull(inputs, "inputs");
    java.util.Objects.requireNonNull(shard, "shard");
    List<TaskRun<R>> shards = new ArrayList<>(inputs.size());
    boolean complete = false;
    try {
      for (I input : inputs) {
        shards.add(submitInternal(Task.of(shardName, ctx -> shard.run(input, ctx))));
      }
      // wake up when every shard succeeded or as soon as one did not
      CompletableFuture<Void> settled = new CompletableFuture<>();
      java.util.concurrent.atomic.AtomicInteger left =
          new java.util.concurrent.atomic.AtomicInteger(shards.size());
      for (TaskRun<R> r : shards) {
        r.future().whenComplete((v, e) -> {
          if (e != null || left.decrementAndGet() == 0) {
            settled.complete(null);
          }
        });
      }
      if (!shards.isEmpty()) {
        try {
          settled.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("unreachable: the settle future never fails", e);
        }
      }
      for (TaskRun<R> r : shards) {
        TaskOutcome<R> o = r.outcome().orElse(null);
        if (o != null && !(o instanceof TaskOutcome.Succeeded<R>)) {
          throw failureOf(r, o, shardName);
        }
      }
      List<R> results = new ArrayList<>(shards.size());
      for (TaskRun<R> r : shards) {
        if (!(r.outcome().orElse(null) instanceof TaskOutcome.Succeeded<R> s)) {
          throw new IllegalStateException("shard " + r.id() + " has no result after all succeeded");
        }
        results.add(s.value());
      }
      complete = true;
      return results;
    } finally {
      if (!complete) {
        for (TaskRun<R> r : shards) {
          r.cancel();
        }
      }
    }
  }

  private static RuntimeException failureOf(TaskRun<?> r, TaskOutcome<?> o, String shardName) {
    return switch (o) {
      case TaskOutcome.Failed<?> f -> new TaskFailedException(r.id(), f.cause());
      case TaskOutcome.TimedOut<?> t -> new TaskFailedException(r.id(), t.cause());
      case TaskOutcome.Cancelled<?> c -> new CancellationException(
          "shard " + r.id() + " of '" + shardName + "' was cancelled: " + c.reason());
      case TaskOutcome.Succeeded<?> s -> new IllegalStateException("shard " + r.id() + " succeeded");
    };
  }

  private boolean admit(Task<?> task, Admission mode, long waitNanos) {
    try {
      if (mode == Admission.TIMED) {
        if (!permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
          rejected.increment();
          publishRejected(task, "queue stayed full (queueCapacity=" + queueCapacity + ")");
          return false;
        }
      } else if (backpressure == Backpressure.REJECT) {
        if (!permits.tryAcquire()) {
          throw reject(task, "queue of runtime '" + name + "' is full (queueCapacity="
              + queueCapacity + ", backpressure=REJECT)");
        }
      } else {
        permits.acquire();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw reject(task, "interrupted while waiting for room in the queue of runtime '" + name + "'");
    }
    if (closed) {
      permits.release();
      throw reject(task, "runtime '" + name + "' is closed; tasks must be submitted before close()");
    }
    return true;
  }

  private RejectedTaskException reject(Task<?> task, String reason) {
    rejected.increment();
    publishRejected(task, reason);
    LOG.debug("rejected task {}: {}", task.name(), reason);
    return new RejectedTaskException(reason);
  }

  private void publishRejected(Task<?> task, String reason) {
    if (listening) {
      Effects fx = new Effects();
      lockSpinning(); // the event queue takes one producer at a time
      try {
        catchUp(fx); // submits this thread made before are taken in (and their events go) first
        emit(fx, new TaskRejected(now(), name, task.name(), reason));
      } finally {
        lock.unlock();
        fx.apply(this); // publishes the rejection (and whatever catchUp took in) before returning
      }
    }
  }

  /** Queues an event for publication; called under the dispatch lock, so the queue is in causal order. */
  /** Gives back admission permits (room in the queue) after a section; outside the lock. */
  void releasePermits(int n) {
    permits.release(n);
  }

  private void emit(Effects fx, RuntimeEvent event) {
    emit(fx, new EventQueue.Node(event));
  }

  /** Queues an event (a {@link EventQueue.Pending} one is made at publication); under the lock. */
  private void emit(Effects fx, EventQueue.Node event) {
    events.add(event);
    fx.publish(++emittedEvents);
  }

  /**
   * Queues one of a task's four events, which may be routine: then only listeners that want
   * routine events get it (see {@link RuntimeListener#routineEvents()}); under the lock.
   */
  private void emit(Effects fx, EventQueue.Node event, boolean routine) {
    event.routine = routine;
    emit(fx, event);
  }

  /** How many events were queued; under the dispatch lock. */
  private long emittedEvents;
  /** How many events were published (they are published in the order they were queued). */
  private volatile long publishedEvents;
  private static final java.lang.invoke.VarHandle PUBLISHED_EVENTS = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), Dispatcher.class, "publishedEvents", long.class);

  /**
   * Publishes every queued event, one thread at a time, in queue order. A thread returns from here
   * only when the events up to {@code upTo} have been published (by itself or by the thread that held
   * the publish lock), so a task's completion event is out before its future completes; when they
   * are out already it returns without touching the publish lock. A listener that submits work
   * re-enters here; its events are published by the outer loop.
   *
   * @param upTo the number of the last event the caller queued
   */
  void drainEvents(long upTo) {
    if (publishedEvents >= upTo || publishLock.isHeldByCurrentThread()) {
      return; // published already (by the thread that held the publish lock), or re-entered
    }
    if (!publishLock.tryLock()) {
      // the holder publishes in queue order, so this thread's events are usually out in a moment:
      // watch for that before parking on the lock (a park and an unpark cost microseconds each,
      // and every attempt thread ending a round came here)
      for (int i = 0; i < SPINS; i++) {
        Thread.onSpinWait();
        if (publishedEvents >= upTo) {
          return;
        }
        if (publishLock.tryLock()) {
          break;
        }
      }
      if (!publishLock.isHeldByCurrentThread()) {
        publishLock.lock();
      }
    }
    try {
      RuntimeEvent event;
      long published = publishedEvents;
      while ((event = events.poll(this)) != null) {
        publish(event, events.polledRoutine());
        // a release store, not a volatile one: no full fence per event (4 a task with a listener);
        // a thread that reads it late only waits for the publish lock (see above)
        PUBLISHED_EVENTS.setRelease(this, ++published);
      }
    } finally {
      publishLock.unlock();
    }
  }




  /** Tasks' futures were completed; wakes close() when it waits for the last one. */
  void settled(int count) {
    unsettled.addAndGet(-count);
    if (closed) { // close() may wait for any count (it settles what it cancelled itself)
      wakeClose();
    }
  }

  private Object @Nullable [] capture() {
    Object[] captured = null;
    for (int i = 0; i < propagators.size(); i++) {
      Object c = propagators.get(i).capture();
      if (c != null) {
        if (captured == null) {
          captured = new Object[propagators.size()];
        }
        captured[i] = c;
      }
    }
    return captured;
  }

  // ------------------------------------------------------------------ placement (under lock)

  /**
   * Queues a run again (a retry); it goes behind every task submitted before, also those still
   * waiting in the hand-off queue to be taken in (D22); under the lock.
   */
  private void enqueue(TaskRun<?> run, Effects fx) {
    admitWaiting(fx);
    setState(run, TaskState.QUEUED);
    run.enqueuedNanos = scheduler.nanoTime();
    queue.add(run);
  }

  /**
   * Per-key ordering: takes the task's key if it is free, else parks the task behind the key's
   * holder. Returns true if the task was parked.
   */
  private boolean holdKeyOrWait(TaskRun<?> run) {
    if (!run.task.orderedByKey()) {
      return false;
    }
    String key = java.util.Objects.requireNonNull(run.task.key().orElse(null));
    ArrayDeque<TaskRun<?>> lane = keyLanes.get(key);
    if (lane == null) {
      keyLanes.put(key, new ArrayDeque<>(2));
      return false;
    }
    lane.add(run);
    run.heldByKey = true;
    return true;
  }

  /** Per-key ordering: the holder ended, so the next task of its key enters the queue. */
  private void releaseKey(TaskRun<?> run) {
    if (!run.task.orderedByKey() || run.heldByKey) {
      return;
    }
    String key = java.util.Objects.requireNonNull(run.task.key().orElse(null));
    ArrayDeque<TaskRun<?>> lane = keyLanes.get(key);
    if (lane == null) {
      return;
    }
    TaskRun<?> next = lane.poll();
    if (next == null) {
      keyLanes.remove(key);
    } else {
      next.heldByKey = false;
      queue.add(next);
    }
  }

  private void dispatchLocked(Effects fx) {
    while (freeSlots > 0) {
      QueuedTask next = queue.poll(startable);
      if (next == null) {
        return;
      }
      place((TaskRun<?>) next, fx);
      batchTick();
    }
  }

  /** Every UP agent is eligible: no required tags or resources, and no guard to ask. */
  private boolean plain(Task<?> task) {
    return task.requiredTags().isEmpty() && task.resources().isEmpty() && guards.isEmpty()
        && backendAgents == 0;
  }

  private boolean admitted(AgentSlot slot) {
    for (int i = 0; i < guards.size(); i++) {
      io.agentry.core.spi.AgentGuard guard = guards.get(i);
      try {
        if (!guard.admits(slot)) {
          return false;
        }
      } catch (RuntimeException e) {
        LOG.warn("guard {} failed for agent {}; admitting it", guard, slot.id(), e);
      }
    }
    return true;
  }

  private boolean eligible(AgentSlot slot, Task<?> task) {
    return slot.canEverRun(task) && admitted(slot);
  }

  private boolean startable(TaskRun<?> run) {
    if (plain(run.task)) {
      return freeSlots > 0;
    }
    for (AgentSlot slot : upAgents) {
      if (slot.hasRoomFor(run) && eligible(slot, run.task)) {
        return true;
      }
    }
    return false;
  }

  /** Places waiting tasks: a guard says an agent may be admissible again. */
  private void wakeUp() {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      for (AgentSlot slot : upAgents) {
        servePinned(slot, fx);
      }
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private List<AgentSlot> filterEligible(Task<?> task) {
    List<AgentSlot> some = new ArrayList<>(upAgents.size());
    for (AgentSlot slot : upAgents) {
      if (eligible(slot, task)) {
        some.add(slot);
      }
    }
    return java.util.Collections.unmodifiableList(some);
  }

  /** What a task asks of an agent, as a cache key for its eligible list. */
  private record Need(Set<String> tags, Map<String, Double> resources) {}

  private List<AgentSlot> eligibleFor(TaskRun<?> run) {
    List<AgentSlot> base;
    if (plain(run.task)) {
      base = upAgents;
    } else if (guards.isEmpty() && backendAgents == 0) {
      // the same list instance while the agents do not change, so selectors can cache per list
      Need need = new Need(run.task.requiredTags(), run.task.resources());
      base = eligibleByNeed.get(need);
      if (base == null) {
        if (eligibleByNeed.size() >= MAX_CACHED_NEEDS) {
          eligibleByNeed.clear();
        }
        base = filterEligible(run.task);
        eligibleByNeed.put(need, base);
      }
    } else {
      base = filterEligible(run.task); // guards may change their answer at any time
    }
    if (run.attempts > 0 && base.size() > 1) {
      List<AgentSlot> fresh = new ArrayList<>(base.size());
      boolean freshHasRoom = false;
      for (AgentSlot slot : base) {
        if (!run.tried(slot.id())) {
          fresh.add(slot);
          freshHasRoom |= slot.hasRoomFor(run);
        }
      }
      if (freshHasRoom) {
        return java.util.Collections.unmodifiableList(fresh);
      }
    }
    return base;
  }

  private void place(TaskRun<?> run, Effects fx) {
    List<AgentSlot> eligible = eligibleFor(run);
    AgentSlot chosen = null;
    try {
      @SuppressWarnings({"unchecked", "rawtypes"})
      List<AgentView> views = (List) eligible;
      AgentView view = selector.select(run, views);
      if (view instanceof AgentSlot slot && slot.registered && slot.state == AgentState.UP
          && eligible(slot, run.task)) {
        chosen = slot;
      } else {
        LOG.warn("selector {} chose {} for task {}, which is not one of the eligible agents; "
            + "placing it on the first agent with room", selector, view, run.id());
      }
    } catch (RuntimeException e) {
      LOG.warn("selector {} failed for task {}; placing it on the first agent with room",
          selector, run.id(), e);
    }
    if (chosen != null && chosen.hasRoomFor(run)) {
      start(run, chosen, fx);
    } else if (chosen != null && !run.affinityExpired) {
      pin(run, chosen);
    } else {
      start(run, firstWithRoom(eligible, run), fx);
    }
  }

  private static AgentSlot firstWithRoom(List<AgentSlot> eligible, TaskRun<?> run) {
    for (AgentSlot slot : eligible) {
      if (slot.hasRoomFor(run)) {
        return slot;
      }
    }
    throw new IllegalStateException("no eligible agent has room for startable task " + run.id());
  }

  private void pin(TaskRun<?> run, AgentSlot slot) {
    ArrayDeque<TaskRun<?>> pinned = slot.pinned;
    if (pinned == null) {
      pinned = new ArrayDeque<>();
      slot.pinned = pinned;
    }
    pinned.add(run);
    run.pinnedTo = slot;
    run.affinityTimer = scheduler.schedule(affinityWait, () -> affinityExpired(run, slot));
  }

  private void servePinned(AgentSlot slot, Effects fx) {
    ArrayDeque<TaskRun<?>> pinned = slot.pinned;
    if (pinned == null || pinned.isEmpty() || !slot.registered || slot.state != AgentState.UP
        || !admitted(slot)) {
      return;
    }
    TaskRun<?> head;
    // a guard may admit only so many (half-open probes): ask before each start
    while ((head = pinned.peek()) != null && slot.hasRoomFor(head) && admitted(slot)) {
      pinned.poll();
      unpinned(head);
      start(head, slot, fx);
    }
  }

  private void unpinned(TaskRun<?> run) {
    run.pinnedTo = null;
    cancel(run.affinityTimer);
    run.affinityTimer = null;
  }

  /** Sends the tasks waiting for this agent back to the queue, free to go anywhere. */
  private void unpinAll(AgentSlot slot) {
    ArrayDeque<TaskRun<?>> pinned = slot.pinned;
    if (pinned == null) {
      return;
    }
    TaskRun<?> run;
    while ((run = pinned.poll()) != null) {
      unpinned(run);
      run.affinityExpired = true;
      queue.add(run);
    }
  }

  private void affinityExpired(TaskRun<?> run, AgentSlot slot) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (run.pinnedTo != slot || run.state != TaskState.QUEUED) {
        return;
      }
      ArrayDeque<TaskRun<?>> pinned = slot.pinned;
      if (pinned != null) {
        pinned.remove(run);
      }
      run.pinnedTo = null;
      run.affinityTimer = null;
      run.affinityExpired = true;
      queue.add(run);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private void start(TaskRun<?> run, AgentSlot slot, Effects fx) {
    long now = Math.max(lockedNanos(), run.enqueuedNanos);
    boolean hedge = run.state == TaskState.RUNNING;
    slot.take(run.task);
    freeSlots--;
    for (int i = 0; i < guards.size(); i++) {
      try {
        guards.get(i).attemptStarted(slot);
      } catch (RuntimeException e) {
        LOG.warn("guard {} failed in attemptStarted for agent {}", guards.get(i), slot.id(), e);
      }
    }
    run.attempts++;
    run.addAgent(slot.id());
    if (run.firstStartNanos < 0) {
      run.firstStartNanos = now;
    }
    if (run.holdsPermit) {
      run.holdsPermit = false;
      fx.releasePermit(); // after the lock, with the section's others: one release, not one a task
    }
    cancel(run.queueTimer);
    run.queueTimer = null;
    if (!hedge) {
      setState(run, TaskState.RUNNING);
    }
    AttemptRun attempt = new AttemptRun(run, slot, run.attempts, now);
    run.addLive(attempt);
    slot.link(attempt);
    if (run.policy != ExecutionPolicy.ofDefaults()) {
      int running = run.liveCount();
      try {
        run.policy.hedgeAfter(run.task, running).ifPresent(delay -> attempt.hedgeTimer =
            scheduler.schedule(delay, () -> hedgeDue(run, attempt)));
      } catch (RuntimeException e) {
        LOG.warn("policy {} failed in hedgeAfter for task {}; not hedging", run.policy, run.id(), e);
      }
    }
    Duration attemptTimeout = attempt.attemptTimeout;
    if (attemptTimeout != null) {
      attempt.timeoutTimer = scheduler.schedule(attemptTimeout,
          () -> attemptTimedOut(attempt, "attemptTimeout", attemptTimeout));
    }
    Duration heartbeat = attempt.heartbeatTimeout;
    if (heartbeat != null) {
      attempt.heartbeatTimer = scheduler.schedule(heartbeat, () -> heartbeatCheck(attempt));
    }
    long queueWait = hedge ? 0 : now - run.enqueuedNanos;
    TaskCounts.Tally tally = run.tally;
    tally.attemptsStarted++;
    tally.queueWaitNanos += queueWait;
    if (listening) {
      if (hedge) {
        emit(fx, new io.agentry.core.event.TaskHedged(instantOf(now), name, run.id(),
            run.task.name(), attempt.number, slot.id()));
      }
      if (routineListening || attempt.number > 1) { // a first attempt's start is routine
        emit(fx, new PendingEvents.Started(attempt, now, queueWait), attempt.number == 1);
      }
    }
    fx.launch(attempt);
  }

  /**
   * The hedge delay of {@code trigger} passed: if it still runs and is the newest attempt, start
   * another attempt on an agent with room that is not running this task.
   */
  private void hedgeDue(TaskRun<?> run, AttemptRun trigger) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      trigger.hedgeTimer = null;
      if (run.state != TaskState.RUNNING || trigger.decided || run.attempts != trigger.number) {
        return;
      }
      List<AgentSlot> candidates = new ArrayList<>();
      for (AgentSlot slot : eligibleFor(run)) {
        if (!run.runsOn(slot)) {
          candidates.add(slot);
        }
      }
      AgentSlot chosen = null;
      for (AgentSlot slot : candidates) {
        if (slot.hasRoomFor(run)) {
          chosen = slot;
          break;
        }
      }
      if (chosen == null) {
        return; // nobody has room: no hedge
      }
      try {
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<AgentView> views = (List) java.util.Collections.unmodifiableList(candidates);
        AgentView view = selector.select(run, views);
        if (view instanceof AgentSlot slot && candidates.contains(slot) && slot.hasRoomFor(run)) {
          chosen = slot;
        }
      } catch (RuntimeException e) {
        LOG.warn("selector {} failed choosing a hedge for task {}", selector, run.id(), e);
      }
      start(run, chosen, fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  // ------------------------------------------------------------------ attempts

  /**
   * Starts an attempt; called after the lock is released. On the default executor a local attempt
   * goes to the ready queue, which the runtime's attempt threads take from; returns true then, and
   * the caller must call {@link #ensureThreads} once it has launched what it had to.
   */
  /** Whether a launch of this attempt would put it in the ready queue (a local one, chained). */
  boolean readiesLocally(AttemptRun attempt) {
    return chain && attempt.slot.backend == null;
  }

  boolean launch(AttemptRun attempt) {
    AgentBackend backend = attempt.slot.backend;
    try {
      if (backend != null) {
        backend.start(attempt);
      } else if (chain) {
        ready.add(attempt);
        readyCount.incrementAndGet();
        return true;
      } else {
        executor.execute(attempt);
      }
    } catch (RuntimeException e) {
      attemptReturned(attempt, null, e);
    }
    return false;
  }

  // ---- attempt threads (default executor; see docs/decisions.md, D16)
  /** Local attempts placed on an agent and waiting for a thread, in placement order. */
  private final java.util.concurrent.ConcurrentLinkedQueue<AttemptRun> ready =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger readyCount =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Attempt threads with nothing to run, parked until a launch needs one. */
  private final IdleThreads idle = new IdleThreads(MAX_IDLE);
  /**
   * How many attempt threads may park when idle; more end. A parked virtual thread keeps its stack
   * (about a kilobyte) and its thread locals until a launch wakes it or the runtime closes.
   */
  static final int MAX_IDLE = 256;
  /** Attempt threads started (or woken) but not yet running. */
  private final java.util.concurrent.atomic.AtomicInteger starting =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Runnable attemptThread = this::attemptThread;
  /**
   * How many attempt threads may be starting at once before a launch stops starting more (the new
   * ones start more when they find ready attempts). 1 made graph execution 2-3 times slower (a
   * burst of ready nodes waited for one thread start after another) and dispatch no faster.
   */
  static final int MAX_STARTING = 64;

  /**
   * Starts attempt threads for ready attempts that no thread will take: at most {@code most} new ones,
   * and none while {@code maxStarting} threads are already starting (each of them starts more when it
   * finds work waiting, so a burst gets threads in a few rounds without one thread starting them all).
   *
   * @param self how many ready attempts the calling thread takes itself
   */
  void ensureThreads(int self, int most, int maxStarting) {
    for (int started = 0; started < most; ) {
      int s = starting.get();
      if (s >= maxStarting || readyCount.get() <= s + self) {
        return;
      }
      if (starting.compareAndSet(s, s + 1)) {
        if (!idle.wakeOne()) {
          try {
            threads.newThread(attemptThread).start();
          } catch (RuntimeException | Error e) {
            starting.decrementAndGet();
            throw e;
          }
        }
        started++;
      }
    }
  }

  private @Nullable AttemptRun pollReady() {
    AttemptRun next = ready.poll();
    if (next != null) {
      readyCount.decrementAndGet();
    }
    return next;
  }

  /** The body of an attempt thread: takes a ready attempt, helps start threads for more, runs. */
  private void attemptThread() {
    do {
      starting.decrementAndGet();
      AttemptRun first = pollReady();
      if (first != null) {
        ensureThreads(0, 2, Integer.MAX_VALUE);
        runChain(first);
      }
    } while (idle.await()); // nothing ready: park until a launch needs a thread (D17)
  }

  /**
   * The body of a local attempt's thread. On the default executor the thread does not end with its
   * attempt: when the attempt's end starts another attempt on a local agent (the queue had a task
   * waiting), this thread runs that one too, instead of starting a new thread for it (see
   * docs/decisions.md, D16).
   */
  void runChain(AttemptRun attempt) {
    AttemptRun next = attempt;
    while (next != null) {
      AttemptRun kept = runWork(next, chain);
      next = kept != null ? kept : chain ? pollReady() : null;
    }
  }

  /** Runs the work of an attempt on the calling thread, with the submitter's context. */
  void runWork(AttemptRun attempt) {
    runWork(attempt, false);
  }

  /** @return a ready attempt this thread kept to run next (see {@link #combine(boolean, boolean)}) */
  private @Nullable AttemptRun runWork(AttemptRun attempt, boolean chained) {
    attempt.thread = Thread.currentThread();
    Object result = null;
    Throwable failure = null;
    if (attempt.decided) {
      failure = new CancellationException("attempt " + attempt.attemptId() + " was given up before it ran");
    } else {
      TaskRun<?> run = attempt.run;
      ContextPropagator.Scope[] scopes = restore(run.contexts);
      boolean mdc = MDC_ON;
      if (mdc) {
        MDC.put(MDC_TASK_ID, run.id());
        MDC.put(MDC_TASK_NAME, run.task.name());
        MDC.put(MDC_AGENT_ID, attempt.slot.id());
      }
      try {
        result = run.task.work().run(attempt);
      } catch (Throwable t) { // the work may throw anything; it ends the attempt, never the runtime
        failure = t;
      } finally {
        if (mdc) {
          MDC.remove(MDC_TASK_ID);
          MDC.remove(MDC_TASK_NAME);
          MDC.remove(MDC_AGENT_ID);
        }
        close(scopes);
      }
    }
    if (chained) {
      return endOnThread(attempt, result, failure);
    }
    attemptReturned(attempt, result, failure, true);
    return null;
  }

  /**
   * The end of a local attempt on an attempt thread, which then goes on with the next ready attempt:
   * the end is queued, and processed now if the dispatch lock is free, else by its holder when that
   * holder is combining (see {@link #combine}).
   */
  private @Nullable AttemptRun endOnThread(AttemptRun attempt, @Nullable Object result,
      @Nullable Throwable failure) {
    long end = scheduler.nanoTime();
    attempt.endNanos = end;
    attempt.endResult = result;
    attempt.endFailure = failure;
    attempt.leaveThread(); // after this, giveUp() no longer interrupts this thread
    try {
      selector.attemptEnded(attempt.slot.id(), end - attempt.startNanos, failure == null);
    } catch (RuntimeException e) {
      LOG.warn("selector {} failed in attemptEnded", selector, e);
    }
    return combine(true, true, attempt); // queues the end unless it takes the lock at once
  }

  private ContextPropagator.Scope @Nullable [] restore(Object @Nullable [] contexts) {
    if (contexts == null) {
      return null;
    }
    ContextPropagator.Scope[] scopes = new ContextPropagator.Scope[contexts.length];
    for (int i = 0; i < contexts.length; i++) {
      Object c = contexts[i];
      if (c != null) {
        try {
          scopes[i] = propagators.get(i).restore(c);
        } catch (RuntimeException e) {
          LOG.warn("context propagator {} failed to restore", propagators.get(i), e);
        }
      }
    }
    return scopes;
  }

  private void close(ContextPropagator.Scope @Nullable [] scopes) {
    if (scopes == null) {
      return;
    }
    for (int i = scopes.length - 1; i >= 0; i--) {
      ContextPropagator.Scope s = scopes[i];
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException e) {
          LOG.warn("context propagator {} failed to close its scope", propagators.get(i), e);
        }
      }
    }
  }

  /** The work of an attempt returned (or its backend reported): frees the slot, decides if still open. */
  void attemptReturned(AttemptRun attempt, @Nullable Object result, @Nullable Throwable failure) {
    attemptReturned(attempt, result, failure, false);
  }

  /**
   * Ends an attempt, waiting for the dispatch lock (a backend's report, or an executor given to the
   * builder).
   */
  private void attemptReturned(AttemptRun attempt, @Nullable Object result,
      @Nullable Throwable failure, boolean onAttemptThread) {
    Effects fx = new Effects();
    long end = scheduler.nanoTime();
    AgentSlot slot = attempt.slot;
    lockSpinning();
    try {
      catchUp(fx);
      endLocked(attempt, result, failure, end, fx);
    } catch (RuntimeException | Error e) {
      lock.unlock();
      fx.apply(this); // what catchUp added must still happen
      throw e;
    }
    lock.unlock();
    if (onAttemptThread) {
      // An interrupt aimed at this attempt can only have been sent under the lock before `thread` was
      // cleared; clear it so that what runs next on this thread (other tasks' events and callbacks,
      // or a pooled thread's next task) starts clean.
      Thread.interrupted();
    }
    try {
      selector.attemptEnded(slot.id(), end - attempt.startNanos, failure == null);
    } catch (RuntimeException e) {
      LOG.warn("selector {} failed in attemptEnded", selector, e);
    }
    fx.apply(this);
  }

  /** Ends an attempt whose work returned: frees its slot, decides the task if still open; under the lock. */
  private void endLocked(AttemptRun attempt, @Nullable Object result, @Nullable Throwable failure,
      long end, Effects fx) {
    AgentSlot slot = attempt.slot;
    if (attempt.returned) {
      return; // a second report (stale or duplicate) is ignored
    }
    attempt.returned = true;
    if (attempt.thread != null) { // an attempt thread cleared it already (leaveThread): no fence
      attempt.thread = null;
    }
    slot.give(attempt.run.task);
    slot.unlink(attempt);
    if (slot.registered && slot.state == AgentState.UP) {
      freeSlots++;
      fx.slotsFreed();
    }
    if (failure == null && !attempt.decided) {
      slot.succeeded++;
    } else {
      slot.failed++;
    }
    CompletableFuture<Void> drained = slot.drained;
    if (drained != null && slot.inFlight == 0) {
      fx.run(() -> drained.complete(null));
    }
    if (!attempt.decided) {
      AttemptEnded.Status status = failure == null
          ? AttemptEnded.Status.SUCCEEDED
          : failure instanceof AgentLostException
              ? AttemptEnded.Status.LOST
              : AttemptEnded.Status.FAILED;
      endAttempt(attempt, status, failure, end, fx, true);
      decide(attempt, result, failure, end, fx);
    }
    servePinned(slot, fx);
    if (!batching) {
      dispatchLocked(fx);
    } // in a batch, catchUp places once, after it took in the submits queued with the ends
  }

  /** Marks an attempt decided and reports its end; under the lock. */
  private void endAttempt(AttemptRun attempt, AttemptEnded.Status status, @Nullable Throwable failure,
      long end, Effects fx) {
    endAttempt(attempt, status, failure, end, fx, false);
  }

  /**
   * As above; {@code returned} says the attempt's work has returned (its end is being taken in):
   * then no cancel action can race with the decision, and {@code decided} is written with release
   * semantics, without the full fence a volatile write costs on the lock's serial path.
   */
  private void endAttempt(AttemptRun attempt, AttemptEnded.Status status, @Nullable Throwable failure,
      long end, Effects fx, boolean returned) {
    if (returned) {
      attempt.decideReturned();
    } else {
      attempt.decided = true;
    }
    attempt.status = status;
    cancel(attempt.timeoutTimer);
    cancel(attempt.heartbeatTimer);
    cancel(attempt.hedgeTimer);
    attempt.timeoutTimer = null;
    attempt.heartbeatTimer = null;
    attempt.hedgeTimer = null;
    TaskRun<?> run = attempt.run;
    run.removeLive(attempt);
    if (!guards.isEmpty()) {
      String agentId = attempt.slot.id();
      long nanos = end - attempt.startNanos;
      fx.run(() -> {
        for (io.agentry.core.spi.AgentGuard guard : guards) {
          try {
            guard.attemptEnded(agentId, status, nanos, failure);
          } catch (RuntimeException e) {
            LOG.warn("guard {} failed in attemptEnded for agent {}", guard, agentId, e);
          }
        }
      });
    }
    run.tally.attemptsEnded[status.ordinal()]++;
    if (listening && (routineListening || status != AttemptEnded.Status.SUCCEEDED)) {
      emit(fx, new PendingEvents.Ended(attempt, end, status, failure),
          status == AttemptEnded.Status.SUCCEEDED);
    }
  }

  /** Gives up on a running attempt: interrupts it and tells its backend; its slot stays taken. */
  private void giveUp(AttemptRun attempt, AttemptEnded.Status status, Throwable cause, Effects fx) {
    endAttempt(attempt, status, cause, scheduler.nanoTime(), fx);
    attempt.interruptThread(); // never a thread that went on (see AttemptRun.leaveThread)
    if (attempt.cancelAction != null) {
      fx.run(attempt::fireCancelAction);
    }
  }

  /**
   * Applies the policy to an attempt that ended; under the lock. With hedging, a failure decides
   * nothing while another attempt of the task still runs; a result the policy accepts wins, and the
   * other attempts are given up.
   */
  private void decide(AttemptRun attempt, @Nullable Object result, @Nullable Throwable failure,
      long end, Effects fx) {
    TaskRun<?> run = attempt.run;
    if (run.state != TaskState.RUNNING) {
      return;
    }
    if (failure != null && LOG.isDebugEnabled()) {
      LOG.debug("attempt {} of task {} ({}) on agent {} failed", attempt.number, run.id(),
          run.task.name(), attempt.slot.id(), failure);
    }
    boolean othersRunning = run.liveCount() > 0;
    if (failure != null && othersRunning) {
      return; // a hedged task: the attempts still running decide
    }
    Decision decision = Decision.complete();
    if (failure != null || run.policy != ExecutionPolicy.ofDefaults()) {
      try {
        decision = run.policy.afterAttempt(new AttemptReport(run.task, run.id(), attempt.number,
            attempt.slot.id(), result, failure, run.agentList(),
            Duration.ofNanos(end - run.submitNanos), Duration.ofNanos(end - attempt.startNanos),
            run.liveCount()));
      } catch (RuntimeException e) {
        LOG.warn("policy {} failed after attempt {} of task {}; completing with the attempt's result",
            run.policy, attempt.number, run.id(), e);
      }
    }
    if (othersRunning && !(failure == null && decision instanceof Decision.Complete)) {
      // While other attempts of a hedged task run, only an accepted success decides: a rejected
      // result, a fallback or a failure the policy wants to end with all wait for the last attempt.
      return;
    }
    if (othersRunning) {
      for (AttemptRun other : run.live()) {
        giveUp(other, AttemptEnded.Status.CANCELLED, new CancellationException(
            "attempt " + attempt.number + " of task " + run.id() + " decided first"), fx);
      }
    }
    switch (decision) {
      case Decision.Complete c -> {
        if (failure == null) {
          finish(run, TaskState.SUCCEEDED, result, null, null, fx, end);
        } else if (attempt.status == AttemptEnded.Status.TIMED_OUT) {
          finish(run, TaskState.TIMED_OUT, null, failure, null, fx, end);
        } else {
          finish(run, TaskState.FAILED, null, failure, null, fx, end);
        }
      }
      case Decision.Succeed s -> finish(run, TaskState.SUCCEEDED, s.value(), null, null, fx, end);
      case Decision.Fail f -> finish(run, TaskState.FAILED, null, f.cause(), null, fx, end);
      case Decision.Retry r -> retry(run, attempt, r.delay(), fx);
    }
  }

  private void retry(TaskRun<?> run, AttemptRun failedAttempt, Duration delay, Effects fx) {
    if (listening) {
      emit(fx, new TaskRetryScheduled(now(), name, run.id(), run.task.name(), run.attempts + 1,
          delay, failedAttempt.slot.id()));
    }
    if (delay.isZero()) {
      enqueue(run, fx);
    } else {
      setState(run, TaskState.RETRY_WAIT);
      retryWaiting.add(run);
      run.retryTimer = scheduler.schedule(delay, () -> retryDue(run));
    }
  }

  private void retryDue(TaskRun<?> run) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (run.state != TaskState.RETRY_WAIT) {
        return;
      }
      retryWaiting.remove(run);
      run.retryTimer = null;
      enqueue(run, fx);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  // ------------------------------------------------------------------ timeouts

  private void attemptTimedOut(AttemptRun attempt, String which, Duration limit) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (attempt.decided) {
        return;
      }
      TaskTimeoutException cause = new TaskTimeoutException(which, limit);
      giveUp(attempt, AttemptEnded.Status.TIMED_OUT, cause, fx);
      decide(attempt, null, cause, scheduler.nanoTime(), fx);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private void heartbeatCheck(AttemptRun attempt) {
    Duration limit = attempt.heartbeatTimeout;
    if (limit == null || attempt.decided) {
      return;
    }
    long silent = scheduler.nanoTime() - attempt.lastBeatNanos;
    if (silent >= limit.toNanos()) {
      attemptTimedOut(attempt, "heartbeatTimeout", limit);
      return;
    }
    lockSpinning();
    try {
      if (!attempt.decided) {
        attempt.heartbeatTimer = scheduler.schedule(Duration.ofNanos(limit.toNanos() - silent),
            () -> heartbeatCheck(attempt));
      }
    } finally {
      lock.unlock();
    }
  }

  private void deadlinePassed(TaskRun<?> run) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (run.state.isTerminal()) {
        return;
      }
      if (!run.admitted) { // fired while its submit was still handing it in: look again shortly
        run.deadlineTimer = scheduler.schedule(NOT_YET_ADMITTED, () -> deadlinePassed(run));
        return;
      }
      Duration limit = java.util.Objects.requireNonNull(run.timeouts.rawDeadline());
      Throwable cause = run.state == TaskState.QUEUED && noEligibleAgent(run)
          ? noEligibleAgent(run, "deadline", limit)
          : new TaskTimeoutException("deadline", limit);
      if (run.state == TaskState.RUNNING) {
        for (AttemptRun live : run.live()) {
          giveUp(live, AttemptEnded.Status.TIMED_OUT, cause, fx);
        }
      }
      finish(run, TaskState.TIMED_OUT, null, cause, null, fx);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private void queueTimeoutPassed(TaskRun<?> run) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (run.state != TaskState.QUEUED || run.attempts > 0) {
        return;
      }
      if (!run.admitted) { // fired while its submit was still handing it in: look again shortly
        run.queueTimer = scheduler.schedule(NOT_YET_ADMITTED, () -> queueTimeoutPassed(run));
        return;
      }
      Duration limit = java.util.Objects.requireNonNull(run.timeouts.rawQueueTimeout());
      Throwable cause = noEligibleAgent(run)
          ? noEligibleAgent(run, "queueTimeout", limit)
          : new TaskTimeoutException("queueTimeout", limit);
      finish(run, TaskState.TIMED_OUT, null, cause, null, fx);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  /** No agent is UP, has the tags and resources, and is admitted by the guards (circuits). */
  private boolean noEligibleAgent(TaskRun<?> run) {
    for (AgentSlot slot : upAgents) {
      if (eligible(slot, run.task)) {
        return false;
      }
    }
    return true;
  }

  private NoEligibleAgentException noEligibleAgent(TaskRun<?> run, String timeout, Duration limit) {
    StringBuilder sb = new StringBuilder("no agent could run task ").append(run.id())
        .append(" ('").append(run.task.name()).append("') within its ").append(timeout).append(" of ")
        .append(limit).append(": it requires tags ").append(run.task.requiredTags())
        .append(" and resources ").append(run.task.resources()).append("; agents: ");
    if (agents.isEmpty()) {
      sb.append("none registered");
    }
    int shown = 0;
    for (AgentSlot slot : agents.values()) {
      if (shown++ == 10) {
        sb.append(", ... (").append(agents.size()).append(" in all)");
        break;
      }
      sb.append(shown > 1 ? ", " : "").append(slot.id()).append(' ').append(slot.state)
          .append(" tags=").append(slot.agent.tags()).append(" resources=")
          .append(slot.agent.resources());
    }
    return new NoEligibleAgentException(sb.toString());
  }

  // ------------------------------------------------------------------ ending

  boolean cancel(TaskRun<?> run, String reason) {
    Effects fx = new Effects();
    boolean done;
    lockSpinning();
    try {
      catchUp(fx);
      done = cancelLocked(run, reason, fx);
      dispatchLocked(fx); // a released key may have let a waiting task into the queue
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
    return done;
  }

  private boolean cancelLocked(TaskRun<?> run, String reason, Effects fx) {
    if (run.state.isTerminal()) {
      return false;
    }
    if (run.state == TaskState.RUNNING) {
      for (AttemptRun live : run.live()) {
        giveUp(live, AttemptEnded.Status.CANCELLED, new CancellationException(reason), fx);
      }
    }
    return finish(run, TaskState.CANCELLED, null, null, reason, fx);
  }

  /** Ends a task exactly once; under the lock. */
  private boolean finish(TaskRun<?> run, TaskState end, @Nullable Object value,
      @Nullable Throwable cause, @Nullable String reason, Effects fx) {
    return finish(run, end, value, cause, reason, fx, scheduler.nanoTime());
  }

  /** As above, with the time the task ended (the end of the attempt that decided it). */
  private boolean finish(TaskRun<?> run, TaskState end, @Nullable Object value,
      @Nullable Throwable cause, @Nullable String reason, Effects fx, long endNanos) {
    TaskState was = run.state;
    if (was.isTerminal()) {
      return false;
    }
    if (was == TaskState.QUEUED) {
      removeWaiting(run);
    } else if (was == TaskState.RETRY_WAIT) {
      retryWaiting.remove(run);
      cancel(run.retryTimer);
      run.retryTimer = null;
    }
    // what the outcome is built from, outside the lock (TaskRun.outcomeNow); written before the
    // terminal state, which publishes it
    run.endNanos = endNanos;
    run.end = switch (end) {
      case SUCCEEDED -> value;
      case FAILED, TIMED_OUT -> java.util.Objects.requireNonNull(cause);
      default -> reason == null ? "cancelled" : reason;
    };
    setState(run, end);
    releaseKey(run);
    run.heldByKey = false;
    cancel(run.queueTimer);
    cancel(run.deadlineTimer);
    run.queueTimer = null;
    run.deadlineTimer = null;
    if (run.holdsPermit) {
      run.holdsPermit = false;
      fx.releasePermit(); // after the lock, with the section's others: one release, not one a task
    }
    if (run.userId != null) {
      userIds.remove(run.userId, run);
    }
    String key = run.task.rawIdempotencyKey();
    if (key != null) {
      if (end == TaskState.SUCCEEDED && results != null) {
        results.put(key, run);
      }
      byIdempotencyKey.remove(key, run);
    }
    switch (end) {
      case SUCCEEDED -> succeeded++;
      case FAILED -> failed++;
      case CANCELLED -> cancelled++;
      case TIMED_OUT -> timedOut++;
      default -> throw new IllegalStateException("not a terminal state: " + end);
    }
    active--;
    if (active == 0 && closed) {
      fx.run(this::wakeClose);
    }
    long now = run.endNanos;
    run.tally.ended(end, now - run.submitNanos);
    if (listening) {
      if (routineListening || end != TaskState.SUCCEEDED) {
        emit(fx, new PendingEvents.Completed(run, end, run.attempts, run.lastAgent(), now,
            (run.firstStartNanos < 0 ? now : run.firstStartNanos) - run.submitNanos, cause),
            end == TaskState.SUCCEEDED);
      } else {
        // no event of its own, but the future still waits for every event queued before (D13):
        // the task's earlier ones, and whatever a listener was told before the task ended
        fx.publish(emittedEvents);
      }
    }
    if (batching) {
      batchSettles++; // added to unsettled once for the batch, still under the lock (catchUp)
    } else {
      unsettled.incrementAndGet();
    }
    fx.settle(run);
    if (run.graph != null) {
      fx.graphStep(run);
    }
    if (cause != null && LOG.isDebugEnabled()) {
      LOG.debug("task {} ({}) ended {} after {} attempt(s)", run.id(), run.task.name(), end,
          run.attempts, cause);
    }
    return true;
  }
  private static Duration queueWaitOf(TaskRun<?> run, long now) {
    return Duration.ofNanos((run.firstStartNanos < 0 ? now : run.firstStartNanos) - run.submitNanos);
  }

  /** Builds the outcome of a task that ended, from what {@link #finish} recorded; any thread. */
  <T extends @Nullable Object> TaskOutcome<T> outcomeOf(TaskRun<T> run, TaskState end) {
    long now = run.endNanos;
    Instant submittedAt = instantOf(run.submitNanos);
    Duration queueWait = queueWaitOf(run, now);
    Duration duration = Duration.ofNanos(now - run.submitNanos);
    List<String> tried = run.agentList();
    Object e = run.end;
    @SuppressWarnings("unchecked")
    TaskOutcome<T> outcome = switch (end) {
      case SUCCEEDED -> new TaskOutcome.Succeeded<>(run.id(), (T) e, run.attempts, tried,
          submittedAt, queueWait, duration);
      case FAILED -> new TaskOutcome.Failed<>(run.id(), (Throwable) java.util.Objects.requireNonNull(e),
          run.attempts, tried, submittedAt, queueWait, duration);
      case TIMED_OUT -> new TaskOutcome.TimedOut<>(run.id(),
          (Throwable) java.util.Objects.requireNonNull(e), run.attempts, tried, submittedAt, queueWait,
          duration);
      default -> new TaskOutcome.Cancelled<>(run.id(), String.valueOf(e), run.attempts, tried,
          submittedAt, queueWait, duration);
    };
    return outcome;
  }


  private void removeWaiting(TaskRun<?> run) {
    AgentSlot pinnedTo = run.pinnedTo;
    if (run.heldByKey) {
      ArrayDeque<TaskRun<?>> lane = keyLanes.get(run.task.key().orElse(""));
      if (lane != null) {
        lane.remove(run);
      }
    } else if (pinnedTo != null) {
      ArrayDeque<TaskRun<?>> pinned = pinnedTo.pinned;
      if (pinned != null) {
        pinned.remove(run);
      }
      unpinned(run);
    } else {
      queue.remove(run);
    }
  }

  private void setState(TaskRun<?> run, TaskState next) {
    TaskState was = run.state;
    if (was == TaskState.QUEUED) {
      queued--;
    } else if (was == TaskState.RUNNING) {
      running--;
    }
    if (next == TaskState.QUEUED) {
      queued++;
    } else if (next == TaskState.RUNNING) {
      running++;
    }
    run.publishState(next);
  }

  private static void cancel(Scheduler.@Nullable Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  // ------------------------------------------------------------------ agents

  void addAgent(Agent agent) {
    java.util.Objects.requireNonNull(agent, "agent");
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      if (closed) {
        throw new IllegalStateException("runtime '" + name + "' is closed; cannot add agent '"
            + agent.id() + "'");
      }
      addAgentLocked(agent, fx);
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private void addAgentLocked(Agent agent, Effects fx) {
    if (agents.containsKey(agent.id())) {
      throw new IllegalArgumentException("agent id '" + agent.id()
          + "' is already registered in runtime '" + name + "'");
    }
    AgentSlot slot = new AgentSlot(agent);
    agents.put(agent.id(), slot);
    if (slot.backend != null) {
      backendAgents++;
    }
    freeSlots += slot.room();
    fx.slotsFreed();
    rebuildUp();
    LOG.info("runtime '{}': added {}", name, agent);
    if (listening) {
      emit(fx, new AgentAdded(now(), name, agent));
    }
  }

  CompletableFuture<Void> drainAgent(String agentId) {
    Effects fx = new Effects();
    CompletableFuture<Void> drained;
    lockSpinning();
    try {
      catchUp(fx);
      AgentSlot slot = require(agentId, "drain");
      if (slot.state != AgentState.DRAINING) {
        changeState(slot, AgentState.DRAINING, fx);
      }
      drained = slot.drained;
      if (drained == null) {
        drained = new CompletableFuture<>();
        slot.drained = drained;
        if (slot.inFlight == 0) {
          drained.complete(null);
        }
      }
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
    return drained.copy();
  }

  void setAgentState(String agentId, AgentState state) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      AgentSlot slot = require(agentId, state == AgentState.UP ? "mark up" : "mark down");
      if (slot.state != state) {
        changeState(slot, state, fx);
        dispatchLocked(fx);
      }
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private void changeState(AgentSlot slot, AgentState next, Effects fx) {
    AgentState was = slot.state;
    if (was == AgentState.UP) {
      freeSlots -= slot.room();
    }
    slot.state = next;
    if (next == AgentState.UP) {
      freeSlots += slot.room();
      fx.slotsFreed();
      CompletableFuture<Void> drained = slot.drained;
      if (drained != null) {
        slot.drained = null;
        fx.run(() -> drained.completeExceptionally(new CancellationException(
            "agent '" + slot.id() + "' was marked up before it drained")));
      }
    } else {
      unpinAll(slot);
    }
    rebuildUp();
    LOG.info("runtime '{}': agent '{}' {} -> {}", name, slot.id(), was, next);
    if (listening) {
      emit(fx, new AgentStateChanged(now(), name, slot.id(), was, next));
    }
  }

  void removeAgent(String agentId) {
    Effects fx = new Effects();
    lockSpinning();
    try {
      catchUp(fx);
      AgentSlot slot = require(agentId, "remove");
      agents.remove(agentId);
      if (slot.backend != null) {
        backendAgents--;
      }
      if (slot.state == AgentState.UP) {
        freeSlots -= slot.room();
      }
      slot.registered = false;
      unpinAll(slot);
      rebuildUp();
      int lost = 0;
      for (AttemptRun a : slot.running()) {
        if (!a.decided) {
          lost++;
          AgentLostException cause = new AgentLostException("agent '" + agentId
              + "' was removed from runtime '" + name + "' while attempt " + a.attemptId() + " ran");
          giveUp(a, AttemptEnded.Status.LOST, cause, fx);
          decide(a, null, cause, scheduler.nanoTime(), fx);
        }
      }
      AgentBackend backend = slot.backend;
      if (backend != null) {
        fx.run(backend::close);
      }
      for (io.agentry.core.spi.AgentGuard guard : guards) {
        fx.run(() -> {
          try {
            guard.agentRemoved(agentId);
          } catch (RuntimeException e) {
            LOG.warn("guard {} failed in agentRemoved for agent {}", guard, agentId, e);
          }
        });
      }
      LOG.info("runtime '{}': removed agent '{}' ({} attempt(s) lost)", name, agentId, lost);
      if (listening) {
        emit(fx, new AgentRemoved(now(), name, agentId, lost));
      }
      dispatchLocked(fx);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
  }

  private AgentSlot require(String agentId, String action) {
    java.util.Objects.requireNonNull(agentId, "agentId");
    AgentSlot slot = agents.get(agentId);
    if (slot == null) {
      throw new IllegalArgumentException("cannot " + action + " agent '" + agentId
          + "': no such agent in runtime '" + name + "' (agents: " + agents.keySet() + ")");
    }
    return slot;
  }

  private void rebuildUp() {
    List<AgentSlot> up = new ArrayList<>(agents.size());
    for (AgentSlot slot : agents.values()) {
      if (slot.state == AgentState.UP) {
        up.add(slot);
      }
    }
    upAgents = List.copyOf(up);
    eligibleByNeed.clear();
  }

  // ------------------------------------------------------------------ observation

  RuntimeSnapshot snapshot() {
    Effects fx = new Effects();
    RuntimeSnapshot snapshot;
    lockSpinning();
    try {
      catchUp(fx);
      List<RuntimeSnapshot.AgentSnapshot> list = new ArrayList<>(agents.size());
      for (AgentSlot slot : agents.values()) {
        list.add(new RuntimeSnapshot.AgentSnapshot(slot.id(), slot.state, slot.agent.capacity(),
            slot.inFlight, slot.succeeded, slot.failed, slot.agent.isLocal()));
      }
      snapshot = new RuntimeSnapshot(name, now(), queued, running, retryWaiting.size(), submitted,
          rejected.sum(), succeeded, failed, cancelled, timedOut, list);
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
    return snapshot;
  }

  /** A subscribed listener, with its {@link RuntimeListener#routineEvents()} asked once. */
  private static final class Listening {
    final RuntimeListener listener;
    final boolean routine;

    Listening(RuntimeListener listener) {
      this.listener = listener;
      this.routine = listener.routineEvents();
    }
  }

  Subscription subscribe(RuntimeListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    Listening entry = new Listening(listener);
    listenerLock.lock();
    try {
      listeners.add(entry);
      listenersChanged();
    } finally {
      listenerLock.unlock();
    }
    return () -> {
      listenerLock.lock();
      try {
        if (listeners.remove(entry)) {
          listenersChanged();
        }
      } finally {
        listenerLock.unlock();
      }
    };
  }

  /** Orders subscribing and unsubscribing, so that the two flags match the list. */
  private final ReentrantLock listenerLock = new ReentrantLock();

  private void listenersChanged() {
    boolean routine = false;
    for (Listening l : listeners) {
      routine |= l.routine;
    }
    routineListening = routine;
    listening = !listeners.isEmpty();
  }

  /**
   * Gives an event to the listeners; a routine one only to those that want routine events.
   *
   * @param routine whether the event is routine (see {@link RuntimeListener#routineEvents()})
   */
  void publish(RuntimeEvent event, boolean routine) {
    for (Listening l : listeners) {
      if (routine && !l.routine) {
        continue;
      }
      try {
        l.listener.onEvent(event);
      } catch (RuntimeException e) {
        listenerFailures.increment();
        LOG.warn("listener {} failed on {}; ignored", l.listener, event, e);
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ------------------------------------------------------------------ shutdown

  void close() {
    boolean first;
    lockSpinning();
    try {
      first = !closed;
      closed = true;
    } finally {
      lock.unlock();
    }
    if (first) {
      LOG.info("runtime '{}': closing; waiting up to {} for {} task(s)", name, shutdownGrace,
          activeCount());
      permits.release(CLOSE_PERMITS); // wakes blocked submitters, who then see the runtime closed
    }
    boolean interrupted = false;
    List<AgentBackend> backends = new ArrayList<>();
    boolean terminateNow = false;
    // the grace period: wait without the dispatch lock, so that attempts end and queued tasks start
    closeLock.lock();
    try {
      long remaining = shutdownGrace.toNanos();
      while (activeCount() > 0 && remaining > 0) {
        remaining = closeWake.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      closeLock.unlock();
    }
    Effects fx = new Effects();
    int own;
    lockSpinning();
    try {
      catchUp(fx);
      if (active > 0) {
        cancelAllLocked("runtime '" + name + "' closed before the task ended", fx);
      }
      if (!terminated) {
        terminated = true;
        terminateNow = true;
        for (AgentSlot slot : agents.values()) {
          if (slot.backend != null) {
            backends.add(slot.backend);
          }
        }
      }
    } finally {
      lock.unlock();
      own = fx.settles();
    }
    // tasks that ended on other threads: wait until those threads have completed their futures
    // (it takes only their listeners' time), so that every handle is complete when close returns
    closeLock.lock();
    try {
      while (unsettled.get() > own && !interrupted) {
        try {
          closeWake.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      closeLock.unlock();
    }
    try {
      fx.apply(this);
    } finally {
      if (terminateNow) {
        for (AgentBackend backend : backends) {
          try {
            backend.close();
          } catch (RuntimeException e) {
            LOG.warn("backend {} failed to close", backend, e);
          }
        }
        if (ownedScheduler != null) {
          ownedScheduler.shutdown();
        }
        idle.close();
        LOG.info("runtime '{}': closed", name);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private int activeCount() {
    Effects fx = new Effects();
    int count;
    lockSpinning();
    try {
      catchUp(fx);
      count = active;
    } finally {
      lock.unlock();
      fx.apply(this); // also after an early return or a throw: catchUp may have added effects
    }
    return count;
  }

  private void cancelAllLocked(String reason, Effects fx) {
    List<TaskRun<?>> all = new ArrayList<>();
    for (QueuedTask q : queue.drain()) {
      TaskRun<?> run = (TaskRun<?>) q;
      all.add(run);
    }
    for (AgentSlot slot : agents.values()) {
      if (slot.pinned != null) {
        all.addAll(slot.pinned);
      }
      for (AttemptRun a : slot.running()) {
        if (!a.decided) {
          all.add(a.run);
        }
      }
    }
    all.addAll(retryWaiting);
    for (ArrayDeque<TaskRun<?>> lane : keyLanes.values()) {
      all.addAll(lane);
    }
    for (TaskRun<?> run : all) {
      cancelLocked(run, reason, fx);
    }
  }
}
