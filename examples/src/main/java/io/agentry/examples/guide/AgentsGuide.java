package io.agentry.examples.guide;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Guide section "Agents". */
public final class AgentsGuide {

  private AgentsGuide() {}

  /**
   * Describes agents.
   *
   * @return the descriptions
   */
  public static List<Agent> describe() {
    // tag::describe[]
    Agent cpu = Agent.local("cpu-1").capacity(8).tags("cpu", "eu-west");
    Agent gpu = Agent.local("gpu-1")
        .capacity(2)                 // at most two attempts at once
        .tags("gpu")
        .resource("vramGb", 24)      // an attempt holds what its task declares
        .weight(3);                  // read by weighted selectors
    // end::describe[]
    return List.of(cpu, gpu);
  }

  /**
   * Runs two tasks that each need 16 of the 24 GB of gpu-1, so they run one after the other.
   *
   * @param runtime a runtime with the agent gpu-1 of {@link #describe()}
   * @return the two handles
   */
  public static List<TaskHandle<String>> resources(AgentRuntime runtime) {
    // tag::resources[]
    Task<String> render = Task.builder("render", ctx -> "rendered on " + ctx.agent())
        .requires("gpu")
        .resource("vramGb", 16)
        .build();
    TaskHandle<String> first = runtime.submit(render);
    TaskHandle<String> second = runtime.submit(render); // waits: 24 - 16 < 16 GB free
    // end::resources[]
    return List.of(first, second);
  }

  /**
   * Adds, marks, drains and removes agents while the runtime runs.
   *
   * @param runtime a runtime with an agent cpu-1
   */
  public static void elastic(AgentRuntime runtime) {
    // tag::elastic[]
    runtime.addAgent(Agent.local("cpu-2").capacity(8)); // waiting tasks may start on it at once
    runtime.markAgentDown("cpu-1");   // takes no new attempts; running ones go on
    runtime.markAgentUp("cpu-1");     // takes attempts again
    CompletableFuture<Void> drained = runtime.drainAgent("cpu-2"); // no new attempts...
    drained.join();                   // ...and this completes once none runs on cpu-2
    runtime.removeAgent("cpu-2");     // unregistered; an attempt still running is lost
    // end::elastic[]
  }

  /**
   * Prints a snapshot.
   *
   * @param runtime the runtime
   * @param out where to print
   */
  public static void snapshot(AgentRuntime runtime, PrintStream out) {
    // tag::snapshot[]
    RuntimeSnapshot snapshot = runtime.snapshot();
    out.printf("%d queued, %d running, %d succeeded%n",
        snapshot.queued(), snapshot.running(), snapshot.succeeded());
    for (RuntimeSnapshot.AgentSnapshot agent : snapshot.agents()) {
      out.printf("%s %s %d/%d busy%n",
          agent.id(), agent.state(), agent.inFlight(), agent.capacity());
    }
    // end::snapshot[]
  }
}
