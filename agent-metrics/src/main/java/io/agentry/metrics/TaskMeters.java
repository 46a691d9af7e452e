package io.agentry.metrics;

import io.agentry.core.TaskState;
import io.agentry.core.event.AttemptEnded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one task name in one registry. The plain counters and the queue-wait timer are
 * registered when the name is first seen; the meters per outcome or cause on their first use, and
 * kept in arrays indexed by the enum, so that the event path does an array read and an increment.
 */
final class TaskMeters {
  private static final TaskState[] ENDS = {
      TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT};
  private static final TaskCause[] CAUSES = TaskCause.values();
  private static final AttemptEnded.Status[] STATUSES = AttemptEnded.Status.values();

  private final RuntimeBinding binding;
  private final Tags tags;
  final Counter submitted;
  final Counter rejected;
  final Counter retries;
  final Counter failovers;
  final Counter hedges;
  final Timer queueWait;
  private final AtomicReferenceArray<Counter> completed =
      new AtomicReferenceArray<>(ENDS.length * CAUSES.length);
  private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(ENDS.length);
  private final AtomicReferenceArray<Counter> attempts = new AtomicReferenceArray<>(STATUSES.length);
  private final AtomicReferenceArray<Counter> timeouts = new AtomicReferenceArray<>(CAUSES.length);

  TaskMeters(RuntimeBinding binding, String taskName) {
    this.binding = binding;
    this.tags = binding.runtimeTags().and(MeterNames.TASK_TAG, taskName);
    MeterNames names = binding.names();
    submitted = binding.counter(names.tasksSubmitted(), tags, "Tasks accepted by the runtime");
    rejected = binding.counter(names.tasksRejected(), tags, "Submissions the runtime refused");
    retries = binding.counter(names.retries(), tags, "Retries the policy scheduled");
    failovers = binding.counter(names.failovers(), tags,
        "Retries whose attempt ran on another agent than the attempt that failed");
    hedges = binding.counter(names.hedges(), tags, "Hedged attempts started");
    queueWait = binding.timer(names.taskQueueWait(), tags,
        "Time a task waited in the queue before an attempt started, once per attempt");
  }

  void completed(TaskState state, TaskCause cause) {
    int i = end(state) * CAUSES.length + cause.ordinal();
    Counter c = completed.get(i);
    if (c == null) {
      c = binding.counter(binding.names().tasksCompleted(),
          tags.and(MeterNames.OUTCOME_TAG, outcome(state), MeterNames.CAUSE_TAG, cause.tagValue()),
          "Tasks ended, by outcome and cause");
      completed.set(i, c);
    }
    c.increment();
  }

  Timer duration(TaskState state) {
    int i = end(state);
    Timer t = durations.get(i);
    if (t == null) {
      t = binding.timer(binding.names().taskDuration(),
          tags.and(MeterNames.OUTCOME_TAG, outcome(state)), "Time from submission to the end of a task");
      durations.set(i, t);
    }
    return t;
  }

  void attemptEnded(AttemptEnded.Status status) {
    int i = status.ordinal();
    Counter c = attempts.get(i);
    if (c == null) {
      c = binding.counter(binding.names().attempts(),
          tags.and(MeterNames.OUTCOME_TAG, status.name().toLowerCase(Locale.ROOT)),
          "Attempts ended, by outcome");
      attempts.set(i, c);
    }
    c.increment();
  }

  void timedOut(TaskCause cause) {
    int i = cause.ordinal();
    Counter c = timeouts.get(i);
    if (c == null) {
      c = binding.counter(binding.names().timeouts(),
          tags.and(MeterNames.CAUSE_TAG, cause.tagValue()), "Timeouts that passed, by which timeout");
      timeouts.set(i, c);
    }
    c.increment();
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
