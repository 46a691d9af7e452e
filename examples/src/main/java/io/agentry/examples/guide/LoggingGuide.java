package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Guide section "Logging and MDC". */
public final class LoggingGuide {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingGuide.class);

  private LoggingGuide() {}

  /**
   * Submits a task under an MDC key and reads the MDC inside the task.
   *
   * @param runtime the runtime
   * @param requestId the value of the submitter's MDC key {@code requestId}
   * @return the MDC the work saw, as "requestId taskId taskName agentId"
   */
  public static String mdc(AgentRuntime runtime, String requestId) {
    TaskHandle<String> handle;
    // tag::mdc[]
    MDC.put("requestId", requestId);          // the submitter's MDC...
    try {
      handle = runtime.submit(Task.of("charge", ctx -> {
        LOG.info("charging");                 // ...is in every attempt, with the runtime's keys
        return MDC.get("requestId") + " " + MDC.get("agentry.task.id") + " "
            + MDC.get("agentry.task.name") + " " + MDC.get("agentry.agent.id");
      }));
    } finally {
      MDC.remove("requestId");
    }
    // end::mdc[]
    return handle.join();
  }
}
