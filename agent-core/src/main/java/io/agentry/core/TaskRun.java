package io.agentry.core;

import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One submission of a task: its handle, its place in the queue and its bookkeeping. Mutable fields are
 * guarded by the dispatch lock; {@code state} and {@code outcome} are volatile for lock-free reads.
 */
final class TaskRun<T extends @Nullable Object> extends Handoff.Node implements TaskHandle<T>, QueuedTask {
  final Dispatcher rt;
  final Task<T> task;
  final @Nullable String userId;
  final ExecutionPolicy policy;
  final TaskTimeouts timeouts;
  final long submitNanos;
  final Object @Nullable [] contexts;
  /** The counts of the task's name (see {@link TaskCounts}); changed under the dispatch lock. */
  final TaskCounts.Tally tally;
  /** Made on first need (most handles are joined, never asked for a future); see {@link #future()}. */
  private volatile @Nullable ResultFuture<T> future;
  @SuppressWarnings("rawtypes")
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<TaskRun, ResultFuture>
      FUTURE = java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(TaskRun.class,
          ResultFuture.class, "future");
  private @Nullable String id;
  long seq;

  /**
   * Read by any thread; written under the dispatch lock with release semantics
   * ({@link #publishState}): what the runtime recorded before a state change is seen by whoever sees
   * the state, and the writer pays no full fence, several times a task.
   */
  volatile TaskState state;
  private static final java.lang.invoke.VarHandle STATE = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), TaskRun.class, "state", TaskState.class);

  /** Sets the state, publishing the fields written before it; under the dispatch lock. */
  void publishState(TaskState next) {
    STATE.setRelease(this, next);
  }
  /** Built on first need after the task ended (outside the dispatch lock); see {@link #outcomeNow}. */
  private volatile @Nullable TaskOutcome<T> outcome;
  @SuppressWarnings("rawtypes")
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<TaskRun, TaskOutcome>
      OUTCOME = java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(TaskRun.class,
          TaskOutcome.class, "outcome");
  /**
   * How the task ended, written under the dispatch lock before the terminal state: the value, the
   * cause (failed, timed out) or the reason (cancelled); and when.
   */
  @Nullable Object end;
  long endNanos;
  /** Set when the runtime completes the handle; join and await wait for it, not for the future. */
  private volatile boolean settled;
  private volatile java.util.concurrent.@Nullable CountDownLatch done;
  @SuppressWarnings("rawtypes")
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<TaskRun,
      java.util.concurrent.CountDownLatch> DONE = java.util.concurrent.atomic.AtomicReferenceFieldUpdater
          .newUpdater(TaskRun.class, java.util.concurrent.CountDownLatch.class, "done");

  /** Taken in by the dispatcher (admitted); under the dispatch lock. */
  boolean admitted;
  long enqueuedNanos;
  long firstStartNanos = -1;
  int attempts;
  /** The agents that ran attempts, in order: null, one id (a String) or an ArrayList of ids. */
  private @Nullable Object agents;
  /** The first live (undecided) attempt; hedging may add more in {@code extra}. */
  @Nullable AttemptRun current;
  @Nullable ArrayList<AttemptRun> extra;
  boolean holdsPermit;
  boolean affinityExpired;
  /** Waiting behind an earlier task of the same key (per-key ordering), not in the queue. */
  boolean heldByKey;
  @Nullable AgentSlot pinnedTo;
  Scheduler.@Nullable Cancellable queueTimer;
  Scheduler.@Nullable Cancellable deadlineTimer;
  Scheduler.@Nullable Cancellable retryTimer;
  Scheduler.@Nullable Cancellable affinityTimer;
  long deadlineNanos = Long.MAX_VALUE;
  /** The graph execution this task is a node of, and which node; null for plain tasks. */
  @Nullable GraphRun graph;
  int node;

  // FifoQueue links
  boolean inFifo;
  @Nullable TaskRun<?> prev;
  @Nullable TaskRun<?> next;

  TaskRun(Dispatcher rt, Task<T> task, ExecutionPolicy policy, TaskTimeouts timeouts,
      long submitNanos, Object @Nullable [] contexts, TaskCounts.Tally tally) {
    this.rt = rt;
    this.tally = tally;
    this.task = task;
    this.userId = task.rawId();
    this.policy = policy;
    this.timeouts = timeouts;
    this.submitNanos = submitNanos;
    this.contexts = contexts;
    // a plain write: a volatile one would fence right after the allocation, waiting for its stores
    // (the run is published by the submission queue's atomic swap)
    STATE.set(this, TaskState.QUEUED);
  }

  // ---- TaskHandle

  @Override
  public String id() {
    String s = id;
    if (s == null) {
      s = userId != null ? userId : "task-" + seq;
      id = s;
    }
    return s;
  }

  @Override
  public TaskState state() {
    return state;
  }

  @Override
  public Optional<TaskOutcome<T>> outcome() {
    return state.isTerminal() ? Optional.of(outcomeNow()) : Optional.empty();
  }

  /** The outcome of a task that ended, built once from what the runtime recorded. */
  TaskOutcome<T> outcomeNow() {
    TaskOutcome<T> o = outcome;
    if (o == null) {
      TaskState s = state;
      if (!s.isTerminal()) {
        throw new IllegalStateException("task " + id() + " has not ended; it is " + s);
      }
      OUTCOME.compareAndSet(this, null, rt.outcomeOf(this, s));
      o = java.util.Objects.requireNonNull(outcome);
    }
    return o;
  }

  @Override
  public CompletableFuture<T> toCompletableFuture() {
    return future();
  }

  /**
   * The task's future, made on first call; completed at once if the task has already settled.
   * {@link #settle} completes it if it exists then: a settle and a first call that race both look
   * at the other's write, so at least one of them completes it (completing twice is harmless).
   */
  ResultFuture<T> future() {
    ResultFuture<T> f = future;
    if (f == null) {
      FUTURE.compareAndSet(this, null, new ResultFuture<>(this));
      f = java.util.Objects.requireNonNull(future);
      if (settled) {
        complete(f);
      }
    }
    return f;
  }

  /** The future if it was made, else null (nobody can be waiting on it). */
  @Nullable ResultFuture<T> futureIfMade() {
    return future;
  }

  @Override
  public T join() {
    boolean interrupted = false;
    while (true) {
      try {
        awaitSettled();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        return valueNow();
      } catch (InterruptedException e) {
        interrupted = true; // join() is uninterruptible, like CompletableFuture.join
      }
    }
  }

  @Override
  public TaskOutcome<T> await() throws InterruptedException {
    awaitSettled();
    return outcomeNow();
  }

  /**
   * Waits for the runtime to end the task. Waits on a latch only the runtime counts down (made on
   * first need), not on the user's future, which the user may complete themselves.
   */
  private void awaitSettled() throws InterruptedException {
    if (settled) {
      return;
    }
    java.util.concurrent.CountDownLatch latch = done;
    if (latch == null) {
      DONE.compareAndSet(this, null, new java.util.concurrent.CountDownLatch(1));
      latch = java.util.Objects.requireNonNull(done);
    }
    if (!settled) {
      latch.await();
    }
  }

  /**
   * The value of a task that ended, or the exception join() throws. A success needs no outcome
   * object: its value is {@link #end}, written before the terminal state was.
   */
  @SuppressWarnings("unchecked")
  private T valueNow() {
    if (state == TaskState.SUCCEEDED) {
      return (T) end;
    }
    return valueOf(outcomeNow());
  }

  private T valueOf(TaskOutcome<T> o) {
    return switch (o) {
      case TaskOutcome.Succeeded<T> s -> s.value();
      case TaskOutcome.Failed<T> f -> throw new TaskFailedException(id(), f.cause());
      case TaskOutcome.TimedOut<T> t -> throw new TaskFailedException(id(), t.cause());
      case TaskOutcome.Cancelled<T> c -> throw new CancellationException(
          "task " + id() + " was cancelled: " + c.reason());
    };
  }

  @Override
  public boolean cancel() {
    return rt.cancel(this, "cancelled by its handle");
  }

  /** Marks the task settled and completes its future, if made; called outside the dispatch lock. */
  void settle(Effects fx) {
    settled = true;
    java.util.concurrent.CountDownLatch latch = done;
    if (latch != null) {
      latch.countDown();
    }
    // a future made after this read sees the task settled and completes itself on its maker's
    // thread; one read here may have dependents that run on this thread: user code
    ResultFuture<T> f = future;
    if (f != null) {
      fx.beforeUserCode(rt);
      complete(f);
    }
  }

  @SuppressWarnings("unchecked")
  private void complete(ResultFuture<T> f) {
    if (state == TaskState.SUCCEEDED) { // a success's future needs no outcome object
      f.settleValue((T) end);
      return;
    }
    switch (outcomeNow()) {
      case TaskOutcome.Succeeded<T> s -> f.settleValue(s.value());
      case TaskOutcome.Failed<T> fl -> f.settleFailure(new TaskFailedException(id(), fl.cause()));
      case TaskOutcome.TimedOut<T> t -> f.settleFailure(new TaskFailedException(id(), t.cause()));
      case TaskOutcome.Cancelled<T> c -> f.settleFailure(
          new CancellationException("task " + id() + " was cancelled: " + c.reason()));
    }
  }

  void addLive(AttemptRun attempt) {
    if (current == null) {
      current = attempt;
    } else {
      if (extra == null) {
        extra = new ArrayList<>(2);
      }
      extra.add(attempt);
    }
  }

  void removeLive(AttemptRun attempt) {
    if (current == attempt) {
      current = extra == null || extra.isEmpty() ? null : extra.remove(extra.size() - 1);
    } else if (extra != null) {
      extra.remove(attempt);
    }
  }

  int liveCount() {
    return (current == null ? 0 : 1) + (extra == null ? 0 : extra.size());
  }

  /** A copy of the live attempts (they change as they are given up). */
  List<AttemptRun> live() {
    if (current == null) {
      return List.of();
    }
    if (extra == null || extra.isEmpty()) {
      return List.of(current);
    }
    List<AttemptRun> all = new ArrayList<>(1 + extra.size());
    all.add(current);
    all.addAll(extra);
    return all;
  }

  boolean runsOn(AgentSlot slot) {
    if (current != null && current.slot == slot) {
      return true;
    }
    if (extra != null) {
      for (AttemptRun a : extra) {
        if (a.slot == slot) {
          return true;
        }
      }
    }
    return false;
  }

  /** Notes that an attempt starts on this agent; under the dispatch lock. */
  void addAgent(String agentId) {
    Object a = agents;
    if (a == null) {
      agents = agentId; // most tasks run once: no list
    } else if (a instanceof String first) {
      ArrayList<String> list = new ArrayList<>(4);
      list.add(first);
      list.add(agentId);
      agents = list;
    } else {
      @SuppressWarnings("unchecked")
      ArrayList<String> list = (ArrayList<String>) a;
      list.add(agentId);
    }
  }

  /** Whether an attempt of this task ran on this agent; under the dispatch lock. */
  boolean tried(String agentId) {
    Object a = agents;
    return a instanceof String first ? first.equals(agentId) : a != null && ((List<?>) a).contains(agentId);
  }

  /** The agent of the last attempt, or null if none started; without making a list. */
  @SuppressWarnings("unchecked")
  @Nullable String lastAgent() {
    Object a = agents;
    if (a == null || a instanceof String) {
      return (String) a;
    }
    List<String> list = (List<String>) a;
    return list.isEmpty() ? null : list.get(list.size() - 1);
  }

  /** The agents that ran attempts, in order (List.copyOf of the result is free). */
  @SuppressWarnings("unchecked")
  List<String> agentList() {
    Object a = agents;
    if (a == null) {
      return List.of();
    }
    return a instanceof String first ? List.of(first) : List.copyOf((List<String>) a);
  }

  // ---- QueuedTask

  @Override
  public Task<?> task() {
    return task;
  }

  @Override
  public String taskId() {
    return id();
  }

  @Override
  public long sequence() {
    return seq;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public long enqueuedNanos() {
    return enqueuedNanos;
  }

  @Override
  public long deadlineNanos() {
    return deadlineNanos;
  }

  @Override
  public String toString() {
    return "TaskRun[" + id() + ", " + task.name() + ", " + state + "]";
  }

  /** The future handed to users: cancelling it cancels the task. */
  static final class ResultFuture<T extends @Nullable Object> extends CompletableFuture<T> {
    private final TaskRun<T> run;

    ResultFuture(TaskRun<T> run) {
      this.run = run;
    }

    void settleValue(T value) {
      super.complete(value);
    }

    void settleFailure(Throwable failure) {
      super.completeExceptionally(failure);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      run.rt.cancel(run, "cancelled through its future");
      return isCancelled();
    }

    @Override
    public void obtrudeValue(T value) {
      throw new UnsupportedOperationException("a task's future cannot be obtruded");
    }

    @Override
    public void obtrudeException(Throwable ex) {
      throw new UnsupportedOperationException("a task's future cannot be obtruded");
    }
  }
}
