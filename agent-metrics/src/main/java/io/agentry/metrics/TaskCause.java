package io.agentry.metrics;

import io.agentry.core.AgentLostException;
import io.agentry.core.NoEligibleAgentException;
import io.agentry.core.TaskState;
import io.agentry.core.TaskTimeoutException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import org.jspecify.annotations.Nullable;

/**
 * Why a task or an attempt ended, as a bounded set fit for a meter tag ({@value MeterNames#CAUSE_TAG}).
 * An exception's class name is not bounded (work may throw anything) and its message even less, so
 * neither ever becomes a tag; the failure is classified here instead. Only the top-level failure is
 * looked at: a cause wrapped by the work or by a policy is {@link #EXCEPTION}.
 */
public enum TaskCause {
  /** It succeeded. */
  NONE,
  /** The work threw an exception. */
  EXCEPTION,
  /** The work threw a {@link java.lang.Error}. */
  ERROR,
  /** Its attempt timeout passed. */
  ATTEMPT_TIMEOUT,
  /** It stopped calling {@code heartbeat()} for longer than its heartbeat timeout. */
  HEARTBEAT_TIMEOUT,
  /** Its queue timeout passed before an attempt started, while some agent could have run it. */
  QUEUE_TIMEOUT,
  /** Its deadline passed. */
  DEADLINE,
  /** Another timeout passed (a timeout this version does not know by name). */
  TIMEOUT,
  /** Its queue timeout or deadline passed while no registered agent could run it. */
  NO_ELIGIBLE_AGENT,
  /** Its agent went away while the attempt ran. */
  AGENT_LOST,
  /** It was cancelled. */
  CANCELLED;

  private final String tagValue = name().toLowerCase(Locale.ROOT);

  /**
   * Returns the value used in tags and logs: the lowercase name, such as {@code agent_lost}.
   *
   * @return the tag value
   */
  public String tagValue() {
    return tagValue;
  }

  /**
   * Classifies how a task ended.
   *
   * @param state the terminal state
   * @param cause the failure, if any
   * @return {@link #NONE} for a success, {@link #CANCELLED} for a cancellation, else the class of
   *     the cause as {@link #of(Throwable)} does
   * @throws NullPointerException if the state is null
   */
  public static TaskCause of(TaskState state, @Nullable Throwable cause) {
    return switch (state) {
      case SUCCEEDED -> NONE;
      case CANCELLED -> CANCELLED;
      default -> of(cause);
    };
  }

  /**
   * Classifies a failure.
   *
   * @param failure the failure, or null for none
   * @return its class; {@link #NONE} for null
   */
  public static TaskCause of(@Nullable Throwable failure) {
    return switch (failure) {
      case null -> NONE;
      case TaskTimeoutException t -> ofTimeout(t.timeout());
      case NoEligibleAgentException n -> NO_ELIGIBLE_AGENT;
      case AgentLostException l -> AGENT_LOST;
      case CancellationException c -> CANCELLED;
      case Error e -> ERROR;
      default -> EXCEPTION;
    };
  }

  // TaskTimeoutException names its timeout with a string (see the report on issue 6: core could
  // expose an enum instead).
  private static TaskCause ofTimeout(String timeout) {
    return switch (timeout) {
      case "attemptTimeout" -> ATTEMPT_TIMEOUT;
      case "heartbeatTimeout" -> HEARTBEAT_TIMEOUT;
      case "queueTimeout" -> QUEUE_TIMEOUT;
      case "deadline" -> DEADLINE;
      default -> TIMEOUT;
    };
  }
}
