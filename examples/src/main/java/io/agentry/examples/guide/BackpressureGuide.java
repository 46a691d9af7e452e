package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.RejectedTaskException;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guide section "Backpressure". */
public final class BackpressureGuide {
  private static final Logger LOG = LoggerFactory.getLogger(BackpressureGuide.class);

  private BackpressureGuide() {}

  /**
   * Submits under {@code Backpressure.REJECT}.
   *
   * @param runtime a runtime built with {@code Backpressure.REJECT}
   * @param task the task
   * @return the handle, or empty when the task was rejected
   */
  public static Optional<TaskHandle<String>> reject(AgentRuntime runtime, Task<String> task) {
    // tag::reject[]
    try {
      TaskHandle<String> handle = runtime.submit(task);
      return Optional.of(handle);
    } catch (RejectedTaskException e) {  // a RejectedExecutionException: queue full, runtime closed
      LOG.warn("shedding load: {}", e.getMessage());
      return Optional.empty();           // a rejected task has no handle and no outcome
    }
    // end::reject[]
  }

  /**
   * Submits, waiting a bounded time for room.
   *
   * @param runtime the runtime
   * @param task the task
   * @return whether the task was accepted
   */
  public static boolean trySubmit(AgentRuntime runtime, Task<String> task) {
    // tag::try-submit[]
    Optional<TaskHandle<String>> accepted = runtime.trySubmit(task, Duration.ofMillis(50));
    if (accepted.isEmpty()) {
      LOG.warn("queue stayed full for 50 ms; task {} not accepted", task.name());
    }
    // end::try-submit[]
    return accepted.isPresent();
  }
}
