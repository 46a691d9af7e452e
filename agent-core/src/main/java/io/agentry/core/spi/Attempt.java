package io.agentry.core.spi;

import io.agentry.core.Task;
import io.agentry.core.TaskContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a task, handed by the runtime to an {@link AgentBackend}. The runtime implements it.
 *
 * <p>The backend reports the attempt's end exactly once, with {@link #succeeded} or {@link #failed};
 * later reports are ignored. The agent's slot stays taken until that report, also after the runtime
 * has given up on the attempt (cancelled or timed out), so capacity is never exceeded.
 */
public interface Attempt {

  /**
   * Returns an id unique to this attempt within the runtime ({@code taskId#n}), for deduplication
   * and for dropping stale results.
   *
   * @return the attempt id
   */
  String attemptId();

  /**
   * Returns the task.
   *
   * @return the task
   */
  Task<?> task();

  /**
   * Returns the context the work sees.
   *
   * @return the context
   */
  TaskContext context();

  /**
   * Returns this attempt's timeout, which a remote backend must enforce where the work runs.
   *
   * @return the attempt timeout, or empty
   */
  Optional<Duration> attemptTimeout();

  /**
   * Returns the task's deadline, which a remote backend must enforce where the work runs.
   *
   * @return the deadline, or empty
   */
  Optional<Instant> deadline();

  /**
   * Runs the task's work on the calling thread, with the submitter's context restored, and reports
   * the end. A backend that runs work in this JVM calls this from the thread it chose.
   */
  void runHere();

  /**
   * Reports that the attempt returned a result.
   *
   * @param result the result
   */
  void succeeded(@Nullable Object result);

  /**
   * Reports that the attempt failed.
   *
   * @param failure the failure (for a lost agent, an {@link io.agentry.core.AgentLostException})
   */
  void failed(Throwable failure);

  /**
   * Tells whether the runtime has given up on this attempt (cancelled or timed out).
   *
   * @return {@code true} once the attempt's result is no longer wanted
   */
  boolean isCancelled();

  /**
   * Registers what to do when the runtime gives up on the attempt (for example: send a cancel to the
   * remote member). Runs at once if it has already given up. Only one action is kept.
   *
   * @param action the action; must not block
   */
  void onCancel(Runnable action);
}
