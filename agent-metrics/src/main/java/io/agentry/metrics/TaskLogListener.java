package io.agentry.metrics;

import io.agentry.core.TaskState;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.spi.RuntimeListener;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * A runtime listener that writes one structured SLF4J line per finished task: at DEBUG for tasks
 * that succeeded or were cancelled, at WARN for tasks that failed or timed out.
 *
 * <pre>{@code
 * runtime.subscribe(TaskLogListener.ofDefaults());
 * // DEBUG io.agentry.tasks - task 42 (resize) succeeded after 1 attempt(s) on a1: wait PT0.002S, duration PT0.118S
 * }</pre>
 *
 * <p>Each line carries SLF4J 2 key-value pairs, which structured encoders (JSON, logfmt) write as
 * fields: {@code task} (the task id), {@code name}, {@code agent} (of the last attempt; {@code -}
 * when none started), {@code outcome} (lowercase terminal state), {@code attempts}, {@code wait}
 * (submission to first start) and {@code duration} (submission to end) as ISO-8601
 * {@link java.time.Duration}s, and for failed and timed-out tasks {@code cause} (a
 * {@link TaskCause} tag value) and {@code error} (the failure's class and message). The message
 * repeats them for backends that do not print key-value pairs. No stack trace is logged: the runtime
 * logs one at DEBUG under its own logger.
 *
 * <p>Thread-safety: thread-safe and stateless; subscribe one instance to any number of runtimes.
 */
public final class TaskLogListener implements RuntimeListener {
  /** The name of the logger used by {@link #ofDefaults()}. */
  public static final String DEFAULT_LOGGER_NAME = "io.agentry.tasks";

  private final Logger logger;

  private TaskLogListener(Logger logger) {
    this.logger = logger;
  }

  /**
   * Returns a listener that logs to the logger named {@value #DEFAULT_LOGGER_NAME}.
   *
   * @return the listener
   */
  public static TaskLogListener ofDefaults() {
    return new TaskLogListener(LoggerFactory.getLogger(DEFAULT_LOGGER_NAME));
  }

  /**
   * Returns a listener that logs to the given logger.
   *
   * @param logger the logger
   * @return the listener
   * @throws NullPointerException if the logger is null
   */
  public static TaskLogListener of(Logger logger) {
    return new TaskLogListener(Objects.requireNonNull(logger, "logger"));
  }

  /**
   * Logs a line if the event is a {@link TaskCompleted}; ignores every other event.
   *
   * @param event the event
   */
  @Override
  public void onEvent(RuntimeEvent event) {
    if (!(event instanceof TaskCompleted done)) {
      return;
    }
    boolean failed = done.state() == TaskState.FAILED || done.state() == TaskState.TIMED_OUT;
    if (failed ? !logger.isWarnEnabled() : !logger.isDebugEnabled()) {
      return;
    }
    String outcome = TaskMeters.outcome(done.state());
    String agent = done.lastAgent() == null ? "-" : done.lastAgent();
    LoggingEventBuilder line = (failed ? logger.atWarn() : logger.atDebug())
        .addKeyValue("task", done.taskId())
        .addKeyValue("name", done.taskName())
        .addKeyValue("agent", agent)
        .addKeyValue("outcome", outcome)
        .addKeyValue("attempts", done.attempts())
        .addKeyValue("wait", done.queueWait())
        .addKeyValue("duration", done.duration());
    if (failed) {
      String cause = TaskCause.of(done.state(), done.cause()).tagValue();
      String error = String.valueOf(done.cause());
      line.addKeyValue("cause", cause)
          .addKeyValue("error", error)
          .log("task {} ({}) {} after {} attempt(s) on {}: wait {}, duration {}, cause {}: {}",
              done.taskId(), done.taskName(), outcome, done.attempts(), agent, done.queueWait(),
              done.duration(), cause, error);
    } else {
      line.log("task {} ({}) {} after {} attempt(s) on {}: wait {}, duration {}", done.taskId(),
          done.taskName(), outcome, done.attempts(), agent, done.queueWait(), done.duration());
    }
  }

  @Override
  public String toString() {
    return "TaskLogListener[" + logger.getName() + "]";
  }
}
