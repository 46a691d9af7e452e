package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import java.time.Duration;

/** Guide section "Cancellation". */
public final class CancellationGuide {

  private CancellationGuide() {}

  /**
   * Cancels a task.
   *
   * @param runtime the runtime
   * @return the state of the task after the cancel
   */
  public static TaskState cancel(AgentRuntime runtime) {
    // tag::cancel[]
    TaskHandle<String> export = runtime.submit(Task.of("export", ctx -> {
      Thread.sleep(Duration.ofMinutes(5));  // interrupted by cancel()
      return "exported";
    }));
    boolean cancelledNow = export.cancel(); // false if the task had already ended
    TaskState state = export.state();       // CANCELLED, at once
    // end::cancel[]
    return cancelledNow ? state : TaskState.QUEUED;
  }
}
