package io.agentry.core;

import io.agentry.core.event.AttemptEnded;
import io.agentry.core.spi.Attempt;
import io.agentry.core.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One attempt: the {@link TaskContext} the work sees and the {@link Attempt} a backend reports on.
 *
 * <p>Two things end an attempt and they may happen apart: the runtime <em>decides</em> its fate
 * (result, failure, timeout, cancel), and the work <em>returns</em> (which frees the agent's slot).
 * {@code decided} and {@code returned} are written under the dispatch lock.
 */
final class AttemptRun extends Handoff.Node implements Attempt, TaskContext, Runnable {
  final TaskRun<?> run;
  final AgentSlot slot;
  final int number;
  final long startNanos;
  final @Nullable Duration attemptTimeout;
  final @Nullable Duration heartbeatTimeout;

  volatile boolean decided;
  boolean returned;
  AttemptEnded.@Nullable Status status;
  /** The thread running the work, or null; see {@link #interruptThread} and {@link #leaveThread}. */
  volatile @Nullable Thread thread;
  /** While {@link #interruptThread} interrupts; the thread may not leave the attempt meanwhile. */
  private volatile boolean interrupting;
  volatile long lastBeatNanos;
  private static final java.lang.invoke.VarHandle LAST_BEAT = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), AttemptRun.class, "lastBeatNanos", long.class);
  volatile @Nullable Runnable cancelAction;
  private volatile int cancelFired;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<AttemptRun> CANCEL_FIRED =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(AttemptRun.class, "cancelFired");
  // the end an attempt thread queued (see Dispatcher.endOnThread); read under the dispatch lock
  @Nullable Object endResult;
  @Nullable Throwable endFailure;
  long endNanos;
  Scheduler.@Nullable Cancellable timeoutTimer;
  Scheduler.@Nullable Cancellable heartbeatTimer;
  Scheduler.@Nullable Cancellable hedgeTimer;

  /** Where this attempt is in its slot's running attempts (see {@link AgentSlot#link}), -1 after. */
  int slotIndex;

  AttemptRun(TaskRun<?> run, AgentSlot slot, int number, long startNanos) {
    this.run = run;
    this.slot = slot;
    this.number = number;
    this.startNanos = startNanos;
    // a plain write: a volatile one would fence right after the allocation, waiting for its
    // stores (the object is published by the ready queue's or the lock's own fences)
    LAST_BEAT.set(this, startNanos);
    this.attemptTimeout = run.timeouts.rawAttemptTimeout();
    this.heartbeatTimeout = run.timeouts.rawHeartbeatTimeout();
  }

  /**
   * Interrupts the thread running the work, if any. With {@link #leaveThread} it makes sure an
   * interrupt never reaches a thread that went on to other work (Dekker on two volatiles, no lock:
   * a monitor here would pin a virtual thread on Java 21).
   */
  private static final java.lang.invoke.VarHandle DECIDED = Handles.field(
      java.lang.invoke.MethodHandles.lookup(), AttemptRun.class, "decided", boolean.class);

  /** Marks decided an attempt whose work returned: a release write (see Dispatcher.endAttempt). */
  void decideReturned() {
    DECIDED.setRelease(this, true);
  }

  void interruptThread() {
    interrupting = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    interrupting = false;
  }

  /**
   * The work returned: no interrupt aimed at this attempt reaches the calling thread after this
   * returns, and one that came before is cleared.
   */
  void leaveThread() {
    thread = null;
    while (interrupting) { // an interrupter read the thread before it was cleared: let it finish
      Thread.onSpinWait();
    }
    if (Thread.currentThread().isInterrupted()) {
      Thread.interrupted(); // read first: clearing takes a virtual thread's interrupt lock
    }
  }

  /** Local agents: the virtual thread's body. */
  @Override
  public void run() {
    run.rt.runChain(this);
  }

  // ---- Attempt

  @Override
  public String attemptId() {
    return run.id() + "#" + number;
  }

  @Override
  public Task<?> task() {
    return run.task;
  }

  @Override
  public TaskContext context() {
    return this;
  }

  @Override
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  @Override
  public void runHere() {
    run.rt.runWork(this);
  }

  @Override
  public void succeeded(@Nullable Object result) {
    run.rt.attemptReturned(this, result, null);
  }

  @Override
  public void failed(Throwable failure) {
    run.rt.attemptReturned(this, null, java.util.Objects.requireNonNull(failure, "failure"));
  }

  @Override
  public boolean isCancelled() {
    return decided;
  }

  @Override
  public void onCancel(Runnable action) {
    cancelAction = java.util.Objects.requireNonNull(action, "action");
    if (decided) {
      fireCancelAction();
    }
  }

  /** Runs the backend's cancel action at most once; called outside the dispatch lock. */
  void fireCancelAction() {
    Runnable action = cancelAction;
    if (action != null && CANCEL_FIRED.compareAndSet(this, 0, 1)) {
      action.run();
    }
  }

  // ---- TaskContext

  @Override
  public String taskId() {
    return run.id();
  }

  @Override
  public String taskName() {
    return run.task.name();
  }

  @Override
  public int attempt() {
    return number;
  }

  @Override
  public String agent() {
    return slot.agent.id();
  }

  @Override
  public Optional<Instant> deadline() {
    return run.deadlineNanos == Long.MAX_VALUE
        ? Optional.empty()
        : Optional.of(run.rt.instantOf(run.deadlineNanos));
  }

  @Override
  public void heartbeat() {
    lastBeatNanos = run.rt.nanoTime();
  }

  @Override
  public <U extends @Nullable Object> U resultOf(io.agentry.core.graph.NodeRef<U> upstream) {
    GraphRun graph = run.graph;
    if (graph == null) {
      throw new IllegalStateException("resultOf(" + upstream.id() + ") is only for graph nodes; task "
          + run.id() + " ('" + run.task.name() + "') is not one");
    }
    return graph.resultOf(run.node, upstream);
  }

  @Override
  public <I extends @Nullable Object, R extends @Nullable Object> java.util.List<R> fanOut(
      String name, java.util.List<? extends I> inputs, Shard<I, R> shard) throws InterruptedException {
    return run.rt.fanOut(name, inputs, shard);
  }

  @Override
  public String toString() {
    return "Attempt[" + attemptId() + " on " + slot.id() + "]";
  }
}
