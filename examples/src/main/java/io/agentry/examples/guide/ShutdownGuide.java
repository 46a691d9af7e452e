package io.agentry.examples.guide;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import java.time.Duration;

/** Guide section "Shutdown". */
public final class ShutdownGuide {

  private ShutdownGuide() {}

  /**
   * Closes a runtime with a grace period.
   *
   * @return whether the runtime says it is closed
   */
  public static boolean close() {
    // tag::close[]
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("worker-1"))
        .shutdownGrace(Duration.ofSeconds(10))
        .build();
    runtime.submit(Task.of("flush", ctx -> "flushed"));
    runtime.close(); // no new tasks; up to 10 s for the flush to end; then cancel what is left
    // runtime.submit(...) now throws RejectedTaskException
    // end::close[]
    return runtime.isClosed();
  }
}
