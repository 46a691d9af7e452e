package io.agentry.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a task ended, with what it took: exactly one of {@link Succeeded}, {@link Failed},
 * {@link Cancelled} or {@link TimedOut}. Immutable.
 *
 * <pre>{@code
 * switch (handle.await()) {
 *     case TaskOutcome.Succeeded<String> s -> use(s.value());
 *     case TaskOutcome.Failed<String> f -> log.warn("failed", f.cause());
 *     case TaskOutcome.TimedOut<String> t -> log.warn("timed out", t.cause());
 *     case TaskOutcome.Cancelled<String> c -> log.info("cancelled");
 * }
 * }</pre>
 *
 * @param <T> the result type
 */
public sealed interface TaskOutcome<T extends @Nullable Object> {

  /**
   * Returns the task's id.
   *
   * @return the id
   */
  String taskId();

  /**
   * Returns the terminal state this outcome stands for.
   *
   * @return one of the terminal {@link TaskState}s
   */
  TaskState state();

  /**
   * Returns how many attempts started.
   *
   * @return the number of attempts, 0 when the task never started
   */
  int attempts();

  /**
   * Returns the ids of the agents that ran the attempts, in order.
   *
   * @return an immutable list with one entry per attempt
   */
  List<String> agents();

  /**
   * Returns when the task was submitted.
   *
   * @return the submission instant
   */
  Instant submittedAt();

  /**
   * Returns the time from submission to the start of the first attempt (the whole duration when it
   * never started).
   *
   * @return the queue wait
   */
  Duration queueWait();

  /**
   * Returns the time from submission to this outcome.
   *
   * @return the total duration
   */
  Duration duration();

  /**
   * The task ended with a result.
   *
   * @param taskId the task id
   * @param value the result
   * @param attempts the number of attempts started
   * @param agents the agents of the attempts, in order
   * @param submittedAt when it was submitted
   * @param queueWait submission to first start
   * @param duration submission to this outcome
   * @param <T> the result type
   */
  record Succeeded<T extends @Nullable Object>(
      String taskId, T value, int attempts, List<String> agents, Instant submittedAt,
      Duration queueWait, Duration duration) implements TaskOutcome<T> {
    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component other than the value is null
     */
    public Succeeded {
      Objects.requireNonNull(taskId, "taskId");
      agents = List.copyOf(agents);
      Objects.requireNonNull(submittedAt, "submittedAt");
      Objects.requireNonNull(queueWait, "queueWait");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public TaskState state() {
      return TaskState.SUCCEEDED;
    }
  }

  /**
   * The task ended with a failure: its work threw and the policy did not retry (the cause is what the
   * work threw, unchanged), or the policy failed it with a cause of its own.
   *
   * @param taskId the task id
   * @param cause why it failed
   * @param attempts the number of attempts started
   * @param agents the agents of the attempts, in order
   * @param submittedAt when it was submitted
   * @param queueWait submission to first start
   * @param duration submission to this outcome
   * @param <T> the result type
   */
  record Failed<T extends @Nullable Object>(
      String taskId, Throwable cause, int attempts, List<String> agents, Instant submittedAt,
      Duration queueWait, Duration duration) implements TaskOutcome<T> {
    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Failed {
      Objects.requireNonNull(taskId, "taskId");
      Objects.requireNonNull(cause, "cause");
      agents = List.copyOf(agents);
      Objects.requireNonNull(submittedAt, "submittedAt");
      Objects.requireNonNull(queueWait, "queueWait");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public TaskState state() {
      return TaskState.FAILED;
    }
  }

  /**
   * The task was cancelled before it ended otherwise.
   *
   * @param taskId the task id
   * @param reason who cancelled it ("cancelled by handle", "runtime closed", ...)
   * @param attempts the number of attempts started
   * @param agents the agents of the attempts, in order
   * @param submittedAt when it was submitted
   * @param queueWait submission to first start
   * @param duration submission to this outcome
   * @param <T> the result type
   */
  record Cancelled<T extends @Nullable Object>(
      String taskId, String reason, int attempts, List<String> agents, Instant submittedAt,
      Duration queueWait, Duration duration) implements TaskOutcome<T> {
    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Cancelled {
      Objects.requireNonNull(taskId, "taskId");
      Objects.requireNonNull(reason, "reason");
      agents = List.copyOf(agents);
      Objects.requireNonNull(submittedAt, "submittedAt");
      Objects.requireNonNull(queueWait, "queueWait");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public TaskState state() {
      return TaskState.CANCELLED;
    }
  }

  /**
   * A timeout ended the task. The cause is a {@link TaskTimeoutException} naming the timeout, or a
   * {@link NoEligibleAgentException} when the task waited because no agent could ever run it.
   *
   * @param taskId the task id
   * @param cause which timeout passed
   * @param attempts the number of attempts started
   * @param agents the agents of the attempts, in order
   * @param submittedAt when it was submitted
   * @param queueWait submission to first start
   * @param duration submission to this outcome
   * @param <T> the result type
   */
  record TimedOut<T extends @Nullable Object>(
      String taskId, Throwable cause, int attempts, List<String> agents, Instant submittedAt,
      Duration queueWait, Duration duration) implements TaskOutcome<T> {
    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component is null
     */
    public TimedOut {
      Objects.requireNonNull(taskId, "taskId");
      Objects.requireNonNull(cause, "cause");
      agents = List.copyOf(agents);
      Objects.requireNonNull(submittedAt, "submittedAt");
      Objects.requireNonNull(queueWait, "queueWait");
      Objects.requireNonNull(duration, "duration");
    }

    @Override
    public TaskState state() {
      return TaskState.TIMED_OUT;
    }
  }
}
