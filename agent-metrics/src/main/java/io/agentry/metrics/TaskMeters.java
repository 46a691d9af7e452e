package io.agentry.metrics;

import io.agentry.core.TaskCounts;
import io.agentry.core.TaskState;
import io.agentry.core.event.AttemptEnded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one task name in one registry.
 *
 * <p>What the runtime counts itself ({@link TaskCounts}: tasks submitted, attempts by status, tasks
 * ended with their durations, queue waits) is read from those counts when the registry reads the
 * meter, so that a task that goes well costs the binding nothing: it asks for no routine events
 * (D19 in docs/decisions.md). What needs an event (a failure's cause, rejections, retries, failovers,
 * hedges, timeouts, and every sample of a timer with a percentile histogram) is counted from events.
 *
 * <p>The meters always present are registered when the name is first seen; those per outcome, status
 * or cause on the first event that needs them (a failed attempt, a failed task), and kept in arrays
 * indexed by the enum.
 */
final class TaskMeters {
  private static final TaskState[] ENDS = {
      TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT};
  private static final TaskCause[] CAUSES = TaskCause.values();
  private static final AttemptEnded.Status[] STATUSES = AttemptEnded.Status.values();

  private final RuntimeBinding binding;
  /** The tag value: the task name, or {@link RuntimeBinding#OTHER_TASKS}. */
  final String name;
  private final Tags tags;
  final Counter rejected;
  final Counter retries;
  final Counter failovers;
  final Counter hedges;
  /** The queue-wait timer fed by events, with percentile histograms only; else read from counts. */
  final @Nullable Timer queueWait;
  private final AtomicReferenceArray<Counter> completed =
      new AtomicReferenceArray<>(ENDS.length * CAUSES.length);
  private final AtomicReferenceArray<Meter> durations = new AtomicReferenceArray<>(ENDS.length);
  private final AtomicReferenceArray<Meter> attempts = new AtomicReferenceArray<>(STATUSES.length);
  private final AtomicReferenceArray<Counter> timeouts = new AtomicReferenceArray<>(CAUSES.length);

  TaskMeters(RuntimeBinding binding, String name) {
    this.binding = binding;
    this.name = name;
    this.tags = binding.runtimeTags().and(MeterNames.TASK_TAG, name);
    MeterNames names = binding.names();
    binding.functionCounter(names.tasksSubmitted(), tags, "Tasks accepted by the runtime", this,
        TaskCounts::submitted);
    rejected = binding.counter(names.tasksRejected(), tags, "Submissions the runtime refused");
    retries = binding.counter(names.retries(), tags, "Retries the policy scheduled");
    failovers = binding.counter(names.failovers(), tags,
        "Retries whose attempt ran on another agent than the attempt that failed");
    hedges = binding.counter(names.hedges(), tags, "Hedged attempts started");
    String waitDescription =
        "Time a task waited in the queue before an attempt started, once per attempt";
    if (binding.percentileHistograms()) {
      queueWait = binding.timer(names.taskQueueWait(), tags, waitDescription);
    } else {
      queueWait = null;
      binding.functionTimer(names.taskQueueWait(), tags, waitDescription, this,
          TaskCounts::attemptsStarted, c -> c.totalQueueWait().toNanos());
    }
    // the meters of a task that goes well: it sends no event that could register them
    binding.functionCounter(names.tasksCompleted(), tags.and(MeterNames.OUTCOME_TAG,
            outcome(TaskState.SUCCEEDED), MeterNames.CAUSE_TAG, TaskCause.NONE.tagValue()),
        COMPLETED, this, c -> c.ended(TaskState.SUCCEEDED));
    duration(TaskState.SUCCEEDED);
    attemptEnded(AttemptEnded.Status.SUCCEEDED);
  }

  /** Sums a count over the task names these meters stand for, since the binding started. */
  double sum(ToDoubleFunction<TaskCounts> count) {
    return binding.counted(this, count);
  }

  /**
   * Counts a task that ended other than well, by its cause; a success (cause {@code none}) is read
   * from the runtime's counts instead.
   */
  void completed(TaskState state, TaskCause cause) {
    if (state == TaskState.SUCCEEDED) {
      return;
    }
    int i = end(state) * CAUSES.length + cause.ordinal();
    Counter c = completed.get(i);
    if (c == null) {
      c = register(i, state, cause);
    }
    c.increment();
  }

  private Counter register(int i, TaskState state, TaskCause cause) {
    Counter c = completed.get(i);
    if (c == null) {
      c = binding.counter(binding.names().tasksCompleted(), tags.and(MeterNames.OUTCOME_TAG,
          outcome(state), MeterNames.CAUSE_TAG, cause.tagValue()), COMPLETED);
      completed.set(i, c);
    }
    return c;
  }

  private static final String COMPLETED = "Tasks ended, by outcome and cause";

  /** Makes sure the duration timer of an end state exists; returns it if it is fed by events. */
  @Nullable Timer duration(TaskState state) {
    int i = end(state);
    Meter m = durations.get(i);
    if (m == null) {
      m = registerDuration(i, state);
    }
    return m instanceof Timer t ? t : null;
  }

  private Meter registerDuration(int i, TaskState state) {
    Meter m = durations.get(i);
    if (m == null) {
      Tags t = tags.and(MeterNames.OUTCOME_TAG, outcome(state));
      String description = "Time from submission to the end of a task";
      m = binding.percentileHistograms()
          ? binding.timer(binding.names().taskDuration(), t, description)
          : binding.functionTimer(binding.names().taskDuration(), t, description, this,
              c -> c.ended(state), c -> c.totalDuration(state).toNanos());
      durations.set(i, m);
    }
    return m;
  }

  /** Makes sure the attempt counter of a status exists; its value is the runtime's count. */
  void attemptEnded(AttemptEnded.Status status) {
    if (attempts.get(status.ordinal()) == null) {
      registerAttempts(status);
    }
  }

  private void registerAttempts(AttemptEnded.Status status) {
    int i = status.ordinal();
    if (attempts.get(i) == null) {
      attempts.set(i, binding.functionCounter(binding.names().attempts(),
          tags.and(MeterNames.OUTCOME_TAG, status.name().toLowerCase(Locale.ROOT)),
          "Attempts ended, by outcome", this, c -> c.attemptsEnded(status)));
    }
  }

  void timedOut(TaskCause cause) {
    int i = cause.ordinal();
    Counter c = timeouts.get(i);
    if (c == null) {
      c = registerTimeouts(cause);
    }
    c.increment();
  }

  private Counter registerTimeouts(TaskCause cause) {
    int i = cause.ordinal();
    Counter c = timeouts.get(i);
    if (c == null) {
      c = binding.counter(binding.names().timeouts(),
          tags.and(MeterNames.CAUSE_TAG, cause.tagValue()), "Timeouts that passed, by which timeout");
      timeouts.set(i, c);
    }
    return c;
  }

  static String outcome(TaskState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static int end(TaskState state) {
    for (int i = 0; i < ENDS.length; i++) {
      if (ENDS[i] == state) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a terminal state: " + state);
  }
}
