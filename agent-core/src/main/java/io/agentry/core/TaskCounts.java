package io.agentry.core;

import io.agentry.core.event.AttemptEnded;
import java.time.Duration;
import java.util.Objects;

/**
 * What the tasks of one name did in a runtime, counted from the runtime's start: an immutable copy
 * taken by {@link AgentRuntime#taskCounts()}.
 *
 * <p>The runtime keeps these counts under its dispatch lock as tasks go (a few additions a task), so
 * that meters can read them instead of receiving an event for every task: see
 * {@link io.agentry.core.spi.RuntimeListener#routineEvents()}. They agree with the events: for
 * example {@link #attemptsStarted()} is the number of {@code AttemptStarted} events of the name, and
 * {@link #totalQueueWait()} the sum of their {@code queueWait()}.
 *
 * <p>Task names are meant to be a small set (kinds of task, not one name per task). The runtime
 * counts at most {@link #MAX_NAMES} names; tasks of further names are counted under the name
 * {@link #OTHER_NAMES}.
 */
public final class TaskCounts {
  /** The most task names a runtime counts separately. */
  public static final int MAX_NAMES = 1000;
  /** The name under which the tasks of names past {@link #MAX_NAMES} are counted. */
  public static final String OTHER_NAMES = "_other";

  private static final AttemptEnded.Status[] STATUSES = AttemptEnded.Status.values();
  private static final TaskState[] ENDS = {
      TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT};

  private final String taskName;
  private final long submitted;
  private final long attemptsStarted;
  private final long queueWaitNanos;
  private final long[] attemptsEnded;
  private final long[] ended;
  private final long[] durationNanos;

  TaskCounts(String taskName, long submitted, long attemptsStarted, long queueWaitNanos,
      long[] attemptsEnded, long[] ended, long[] durationNanos) {
    this.taskName = taskName;
    this.submitted = submitted;
    this.attemptsStarted = attemptsStarted;
    this.queueWaitNanos = queueWaitNanos;
    this.attemptsEnded = attemptsEnded;
    this.ended = ended;
    this.durationNanos = durationNanos;
  }

  /**
   * Returns the task name these counts are for.
   *
   * @return the task name, or {@link #OTHER_NAMES}
   */
  public String taskName() {
    return taskName;
  }

  /**
   * Returns how many tasks of this name the runtime accepted.
   *
   * @return the number of tasks submitted (a rejected submission is not counted)
   */
  public long submitted() {
    return submitted;
  }

  /**
   * Returns how many attempts of these tasks started, retries and hedges included.
   *
   * @return the number of attempts started
   */
  public long attemptsStarted() {
    return attemptsStarted;
  }

  /**
   * Returns the time these tasks waited in the queue before their attempts started, summed over the
   * attempts (a retry waits again; a hedged attempt waits zero).
   *
   * @return the total queue wait
   */
  public Duration totalQueueWait() {
    return Duration.ofNanos(queueWaitNanos);
  }

  /**
   * Returns how many attempts of these tasks ended with a status.
   *
   * @param status the status
   * @return the number of attempts ended with it
   * @throws NullPointerException if the status is null
   */
  public long attemptsEnded(AttemptEnded.Status status) {
    return attemptsEnded[Objects.requireNonNull(status, "status").ordinal()];
  }

  /**
   * Returns how many of these tasks ended in a state.
   *
   * @param state a terminal state: {@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED} or
   *     {@code TIMED_OUT}
   * @return the number of tasks that ended in it
   * @throws IllegalArgumentException if the state is not terminal
   */
  public long ended(TaskState state) {
    return ended[end(state)];
  }

  /**
   * Returns the time from submission to the end of the tasks that ended in a state, summed over them.
   *
   * @param state a terminal state, as for {@link #ended(TaskState)}
   * @return the total duration of those tasks
   * @throws IllegalArgumentException if the state is not terminal
   */
  public Duration totalDuration(TaskState state) {
    return Duration.ofNanos(durationNanos[end(state)]);
  }

  /**
   * Returns how many of these tasks have ended, whatever the outcome.
   *
   * @return the sum of {@link #ended(TaskState)} over the terminal states
   */
  public long completed() {
    long n = 0;
    for (long e : ended) {
      n += e;
    }
    return n;
  }

  static int end(TaskState state) {
    Objects.requireNonNull(state, "state");
    for (int i = 0; i < ENDS.length; i++) {
      if (ENDS[i] == state) {
        return i;
      }
    }
    throw new IllegalArgumentException("state must be terminal (SUCCEEDED, FAILED, CANCELLED or "
        + "TIMED_OUT), was " + state);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TaskCounts[").append(taskName)
        .append(": submitted=").append(submitted).append(", attemptsStarted=").append(attemptsStarted);
    for (int i = 0; i < ENDS.length; i++) {
      b.append(", ").append(ENDS[i].name().toLowerCase(java.util.Locale.ROOT)).append('=')
          .append(ended[i]);
    }
    return b.append(']').toString();
  }

  /**
   * The runtime's running counts of one name, changed under the dispatch lock only (plain fields: the
   * lock orders the writes, and {@link AgentRuntime#taskCounts()} copies them under it).
   */
  static final class Tally {
    final String name;
    /** Whether a listener was told of this name (the first submit of a name is always published). */
    boolean announced;
    long submitted;
    long attemptsStarted;
    long queueWaitNanos;
    final long[] attemptsEnded = new long[STATUSES.length];
    final long[] ended = new long[ENDS.length];
    final long[] durationNanos = new long[ENDS.length];

    Tally(String name) {
      this.name = name;
    }

    void ended(TaskState state, long durationNanos) {
      int i = end(state);
      ended[i]++;
      this.durationNanos[i] += durationNanos;
    }

    TaskCounts copy() {
      return new TaskCounts(name, submitted, attemptsStarted, queueWaitNanos, attemptsEnded.clone(),
          ended.clone(), durationNanos.clone());
    }
  }
}
