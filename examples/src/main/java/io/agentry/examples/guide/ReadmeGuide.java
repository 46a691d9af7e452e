package io.agentry.examples.guide;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import java.io.PrintStream;
import java.time.Duration;

/** The usage snippet of the README. */
public final class ReadmeGuide {

  private ReadmeGuide() {}

  /**
   * Runs the README's snippet.
   *
   * @param out where it prints
   */
  public static void usage(PrintStream out) {
    // tag::readme[]
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("cpu-1").capacity(8).tags("cpu"))
        .agent(Agent.local("gpu-1").capacity(2).tags("gpu"))
        .build()) {
      TaskHandle<String> handle = runtime.submit(
          Task.builder("render", ctx -> "rendered on " + ctx.agent())
              .requires("gpu")
              .attemptTimeout(Duration.ofSeconds(30))
              .build());
      out.println(handle.join()); // rendered on gpu-1
    }
    // end::readme[]
  }
}
