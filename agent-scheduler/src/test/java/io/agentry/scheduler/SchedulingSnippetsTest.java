package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.spi.AgentSelector;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The code shown in the javadoc ({@code {@snippet}} regions) and in {@code docs/scheduling.md}: kept
 * here so that it compiles and runs with every build.
 */
class SchedulingSnippetsTest {

  @Test
  void quickStart() {
    // @start region="quick-start"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(8))
        .agent(Agent.local("a2").capacity(8))
        .selector(Selectors.powerOfTwoChoices())   // which agent runs a task
        .queue(Queues.priority(Duration.ofSeconds(1))) // which waiting task starts next
        .build();
    // @end
    try (runtime) {
      assertThat(runtime.submit(Task.of("hello", ctx -> "hi")).join()).isEqualTo("hi");
    }
  }

  @Test
  void consistentHash() {
    // @start region="consistent-hash"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("cache-1"))
        .agent(Agent.local("cache-2"))
        .agent(Agent.local("cache-3"))
        .selector(Selectors.consistentHash(ConsistentHashConfig.builder()
            .boundedLoad(0.25)                           // no agent above 1.25 × the mean load
            .keylessSelector(Selectors::leastConnections) // for tasks without a key
            .build()))
        .affinityWait(Duration.ofMillis(200)) // how long a task may wait for its key's agent
        .build();

    Task<String> load = Task.builder("load-user", ctx -> "loaded on " + ctx.agent())
        .key("user-42") // the same key goes to the same agent while agents do not change
        .build();
    // @end
    try (runtime) {
      String first = runtime.submit(load).join();
      assertThat(runtime.submit(load).join()).isEqualTo(first);
    }
  }

  @Test
  void peakEwma() {
    // @start region="peak-ewma"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("eu-1"))
        .agent(Agent.local("eu-2"))
        .agent(Agent.local("us-1"))
        .selector(Selectors.peakEwma(Duration.ofSeconds(5))) // forget latencies after ~5 s
        .build();
    // @end
    try (runtime) {
      assertThat(runtime.submit(Task.of("ping", ctx -> 1)).join()).isEqualTo(1);
    }
  }

  @Test
  void preferring() {
    // @start region="preferring"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("local-1").tags("zone-a"))
        .agent(Agent.local("local-2").tags("zone-a"))
        .agent(Agent.local("remote-1").tags("zone-b"))
        // zone-a while one of its agents has room, else any agent; never waits
        .selector(Selectors.preferringTags(Set.of("zone-a"), Selectors.powerOfTwoChoices()))
        .build();
    // @end
    try (runtime) {
      TaskHandle<String> handle = runtime.submit(Task.of("where", ctx -> ctx.agent()));
      assertThat(handle.join()).startsWith("local-");
    }
  }

  @Test
  void preferringAgentOfTask() {
    // @start region="preferring-agent-of"
    AgentSelector cacheAware = Selectors.preferringAgentOf(
        task -> Optional.ofNullable(task.labels().get("warm-on")), // the agent with a warm cache
        Selectors.leastConnections());

    Task<String> task = Task.builder("render", ctx -> ctx.agent()).label("warm-on", "a2").build();
    // @end
    try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1"))
        .agent(Agent.local("a2")).selector(cacheAware).build()) {
      assertThat(runtime.submit(task).join()).isEqualTo("a2");
    }
  }

  @Test
  void priorityAging() {
    // @start region="priority-aging"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("worker").capacity(4))
        // higher priority first; every 500 ms of waiting adds 1, so nothing starves
        .queue(Queues.priority(Duration.ofMillis(500)))
        .build();

    Task<String> urgent = Task.builder("urgent", ctx -> "done").priority(10).build();
    Task<String> batch = Task.builder("batch", ctx -> "done").priority(0).build();
    // @end
    try (runtime) {
      assertThat(runtime.submit(urgent).join()).isEqualTo("done");
      assertThat(runtime.submit(batch).join()).isEqualTo("done");
    }
  }

  @Test
  void fairShare() {
    // @start region="fair-share"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("worker").capacity(4))
        .queue(Queues.fairShare(FairShareConfig.builder()
            .keyedByLabel("tenant") // tasks without the label share one group
            .weight("gold", 3)      // gold gets 3 starts for every 1 of a default-weight tenant
            .defaultWeight(1)
            .build()))
        .build();

    Task<String> report = Task.builder("report", ctx -> "ok").label("tenant", "gold").build();
    // @end
    try (runtime) {
      assertThat(runtime.submit(report).join()).isEqualTo("ok");
    }
  }

  @Test
  void earliestDeadlineFirst() {
    // @start region="edf"
    AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("worker").capacity(4))
        .queue(Queues.earliestDeadlineFirst()) // tasks without a deadline go last
        .build();

    Task<String> quote = Task.builder("quote", ctx -> "price")
        .deadline(Duration.ofMillis(800)) // submit to outcome, retries included
        .build();
    // @end
    try (runtime) {
      assertThat(runtime.submit(quote).join()).isEqualTo("price");
    }
  }
}
