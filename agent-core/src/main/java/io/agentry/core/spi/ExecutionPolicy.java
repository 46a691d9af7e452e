package io.agentry.core.spi;

import io.agentry.core.AgentLostException;
import io.agentry.core.Task;
import io.agentry.core.TaskTimeouts;
import java.time.Duration;
import java.util.Optional;

/**
 * Decides a task's timeouts and what happens after each of its attempts: complete, retry (when) or
 * fail. One policy is set on the runtime and may be replaced per task ({@link Task.Builder#policy}).
 *
 * <p>The runtime enforces the timeouts itself, on its timer, in one documented order (see
 * {@link TaskTimeouts}); the policy only supplies their values. {@link #afterAttempt} is called under
 * the runtime's dispatch lock: it must be fast and must not block. A policy that throws is logged and
 * treated as {@link Decision#complete()}.
 */
@FunctionalInterface
public interface ExecutionPolicy {

  /**
   * Returns the default policy: one attempt and no timeouts, except that an attempt whose agent went
   * away ({@link AgentLostException}) is retried at once on another agent, up to three attempts in
   * all.
   *
   * @return the default policy
   */
  static ExecutionPolicy ofDefaults() {
    return DefaultPolicy.INSTANCE;
  }

  /**
   * Returns the timeouts for a task that does not set its own. The default has none.
   *
   * @param task the task
   * @return the fallback timeouts
   */
  default TaskTimeouts timeouts(Task<?> task) {
    return TaskTimeouts.none();
  }

  /**
   * Asks whether to hedge: when an attempt of the task has run this long, the runtime starts another
   * attempt on another agent with room (if none has room then, it does not hedge), and the first
   * success wins while the other attempts are cancelled. A failed attempt decides the task only when
   * it is the last one running. Called under the dispatch lock each time an attempt starts; the
   * default never hedges. Return empty once {@code attemptsRunning} reaches the number of parallel
   * attempts you allow.
   *
   * @param task the task
   * @param attemptsRunning how many attempts of the task are running, the one starting included
   * @return how long to wait before hedging, or empty for no hedge
   */
  default Optional<Duration> hedgeAfter(Task<?> task, int attemptsRunning) {
    return Optional.empty();
  }

  /**
   * Decides what follows an attempt.
   *
   * @param report how the attempt ended
   * @return the decision
   */
  Decision afterAttempt(AttemptReport report);
}

/** One attempt; lost agents fail over. */
enum DefaultPolicy implements ExecutionPolicy {
  INSTANCE;

  private static final int MAX_LOST_ATTEMPTS = 3;

  @Override
  public Decision afterAttempt(AttemptReport report) {
    if (report.failure() instanceof AgentLostException && report.attempt() < MAX_LOST_ATTEMPTS) {
      return Decision.retry(Duration.ZERO);
    }
    return Decision.complete();
  }
}
