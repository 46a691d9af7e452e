package io.agentry.core;

import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * One submission of a task: its handle, its place in the queue and its bookkeeping. Mutable fields are
 * guarded by the dispatch lock; {@code state} and {@code outcome} are volatile for lock-free reads.
 */
final class TaskRun<T extends @Nullable Object> implements TaskHandle<T>, QueuedTask {
  final Dispatcher rt;
  final Task<T> task;
  final @Nullable String userId;
  final ExecutionPolicy policy;
  final TaskTimeouts timeouts;
  final long submitNanos;
  final Object @Nullable [] contexts;
  final ResultFuture<T> future;
  private @Nullable String id;
  long seq;

  volatile TaskState state = TaskState.QUEUED;
  volatile @Nullable TaskOutcome<T> outcome;

  long enqueuedNanos;
  long firstStartNanos = -1;
  int attempts;
  @Nullable ArrayList<String> agents;
  @Nullable AttemptRun current;
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
      long submitNanos, Object @Nullable [] contexts) {
    this.rt = rt;
    this.task = task;
    this.userId = task.rawId();
    this.policy = policy;
    this.timeouts = timeouts;
    this.submitNanos = submitNanos;
    this.contexts = contexts;
    this.future = new ResultFuture<>(this);
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
    return Optional.ofNullable(outcome);
  }

  @Override
  public CompletableFuture<T> toCompletableFuture() {
    return future;
  }

  @Override
  public T join() {
    try {
      future.join();
    } catch (CompletionException | CancellationException ignored) {
      // the outcome below says what happened, with a stack trace of this caller
    }
    return valueOf(outcomeAfterEnd());
  }

  @Override
  public TaskOutcome<T> await() throws InterruptedException {
    try {
      future.get();
    } catch (java.util.concurrent.ExecutionException | CancellationException ignored) {
      // every end is an outcome
    }
    return outcomeAfterEnd();
  }

  private TaskOutcome<T> outcomeAfterEnd() {
    TaskOutcome<T> o = outcome;
    if (o == null) {
      throw new IllegalStateException("task " + id() + " completed its future without an outcome");
    }
    return o;
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

  /** Completes the future from the outcome; called outside the dispatch lock. */
  void settle() {
    TaskOutcome<T> o = outcomeAfterEnd();
    switch (o) {
      case TaskOutcome.Succeeded<T> s -> future.settleValue(s.value());
      case TaskOutcome.Failed<T> f -> future.settleFailure(new TaskFailedException(id(), f.cause()));
      case TaskOutcome.TimedOut<T> t -> future.settleFailure(new TaskFailedException(id(), t.cause()));
      case TaskOutcome.Cancelled<T> c -> future.settleFailure(
          new CancellationException("task " + id() + " was cancelled: " + c.reason()));
    }
  }

  List<String> agentList() {
    return agents == null ? List.of() : agents;
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
