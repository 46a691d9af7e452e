package io.agentry.core;

import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskSubmitted;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The four events every task has (submitted, attempt started, attempt ended, completed), captured
 * under the dispatch lock as plain facts and made into their records when published (see
 * {@link EventQueue.Node}). Everything a record says is captured when the event happens, or is fixed
 * by then (a run's id, task and submit time; an attempt's number, agent and start), so the record is
 * the same whenever it is made.
 */
final class PendingEvents {
  private PendingEvents() {}

  static final class Submitted extends EventQueue.Pending {
    private final TaskRun<?> run;
    private final long at;

    Submitted(TaskRun<?> run, long at) {
      this.run = run;
      this.at = at;
    }

    @Override
    RuntimeEvent event(Dispatcher rt) {
      return new TaskSubmitted(rt.instantOf(at), rt.name, run.id(), run.task.name());
    }
  }

  static final class Started extends EventQueue.Pending {
    private final AttemptRun attempt;
    private final long at;
    private final long queueWaitNanos;

    Started(AttemptRun attempt, long at, long queueWaitNanos) {
      this.attempt = attempt;
      this.at = at;
      this.queueWaitNanos = queueWaitNanos;
    }

    @Override
    RuntimeEvent event(Dispatcher rt) {
      TaskRun<?> run = attempt.run;
      return new AttemptStarted(rt.instantOf(at), rt.name, run.id(), run.task.name(), attempt.number,
          attempt.slot.id(), Duration.ofNanos(queueWaitNanos));
    }
  }

  static final class Ended extends EventQueue.Pending {
    private final AttemptRun attempt;
    private final long at;
    private final AttemptEnded.Status status;
    private final @Nullable Throwable failure;

    Ended(AttemptRun attempt, long at, AttemptEnded.Status status, @Nullable Throwable failure) {
      this.attempt = attempt;
      this.at = at;
      this.status = status;
      this.failure = failure;
    }

    @Override
    RuntimeEvent event(Dispatcher rt) {
      TaskRun<?> run = attempt.run;
      return new AttemptEnded(rt.instantOf(at), rt.name, run.id(), run.task.name(), attempt.number,
          attempt.slot.id(), status, Duration.ofNanos(at - attempt.startNanos), failure);
    }
  }

  static final class Completed extends EventQueue.Pending {
    private final TaskRun<?> run;
    private final TaskState state;
    private final int attempts;
    private final @Nullable String lastAgent;
    private final long at;
    private final long queueWaitNanos;
    private final @Nullable Throwable cause;

    Completed(TaskRun<?> run, TaskState state, int attempts, @Nullable String lastAgent, long at,
        long queueWaitNanos, @Nullable Throwable cause) {
      this.run = run;
      this.state = state;
      this.attempts = attempts;
      this.lastAgent = lastAgent;
      this.at = at;
      this.queueWaitNanos = queueWaitNanos;
      this.cause = cause;
    }

    @Override
    RuntimeEvent event(Dispatcher rt) {
      return new TaskCompleted(rt.instantOf(at), rt.name, run.id(), run.task.name(), state, attempts,
          lastAgent, Duration.ofNanos(queueWaitNanos), Duration.ofNanos(at - run.submitNanos), cause);
    }
  }
}
