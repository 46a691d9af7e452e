package io.agentry.examples.guide;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Backpressure;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guide section "The runtime". */
public final class RuntimeGuide {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeGuide.class);

  private RuntimeGuide() {}

  /**
   * Builds a runtime, runs one task and closes the runtime.
   *
   * @return the task's result
   */
  public static String firstRuntime() {
    String greeting;
    // tag::first-runtime[]
    try (AgentRuntime runtime = AgentRuntime.builder()
        .name("orders")
        .agent(Agent.local("worker-1").capacity(8))
        .agent(Agent.local("worker-2").capacity(8))
        .build()) {
      TaskHandle<String> handle = runtime.submit(Task.of("greet", ctx -> "hi from " + ctx.agent()));
      greeting = handle.join(); // "hi from worker-1"
    } // close(): stop admitting, let queued and running tasks end, stop the timer
    // end::first-runtime[]
    return greeting;
  }

  /**
   * Builds a runtime with most builder settings.
   *
   * @return the runtime; the caller closes it
   */
  public static AgentRuntime configured() {
    // tag::builder[]
    AgentRuntime runtime = AgentRuntime.builder()
        .name("billing")                        // in log lines and events
        .agent(Agent.local("worker-1"))         // capacity 16 unless set
        .agent(Agent.local("worker-2").capacity(4).tags("pdf"))
        .queueCapacity(10_000)                  // tasks accepted but not yet started
        .backpressure(Backpressure.REJECT)      // a full queue throws instead of blocking
        .affinityWait(Duration.ofMillis(500))   // for selectors that pin tasks to an agent
        .shutdownGrace(Duration.ofSeconds(5))   // how long close() lets work finish
        .listener(event -> LOG.debug("{}", event))
        .build();
    // end::builder[]
    return runtime;
  }
}
