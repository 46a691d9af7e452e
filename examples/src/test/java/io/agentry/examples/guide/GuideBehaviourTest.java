package io.agentry.examples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.AgentState;
import io.agentry.core.Backpressure;
import io.agentry.core.NoEligibleAgentException;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Subscription;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Runs the guide's snippets and checks that they do what the guide says. */
class GuideBehaviourTest {

  private static AgentRuntime runtime(Agent... agents) {
    AgentRuntime.Builder builder = AgentRuntime.builder().name("guide")
        .shutdownGrace(Duration.ZERO);
    for (Agent agent : agents) {
      builder.agent(agent);
    }
    return builder.build();
  }

  @Test
  void readmeSnippetRendersOnTheGpuAgent() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      ReadmeGuide.usage(out);
    }

    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .isEqualToIgnoringNewLines("rendered on gpu-1");
  }

  @Test
  void firstRuntimeGreetsFromAnAgent() {
    assertThat(RuntimeGuide.firstRuntime()).isEqualTo("hi from worker-1");
  }

  @Test
  void configuredRuntimeHasItsAgents() {
    try (AgentRuntime runtime = RuntimeGuide.configured()) {
      assertThat(runtime.name()).isEqualTo("billing");
      assertThat(runtime.snapshot().agents()).extracting(RuntimeSnapshot.AgentSnapshot::capacity)
          .containsExactly(Agent.DEFAULT_CAPACITY, 4);
    }
  }

  @Test
  void resourcesLetOneRenderRunAtATime() throws InterruptedException {
    Agent gpu = AgentsGuide.describe().get(1);
    try (AgentRuntime runtime = runtime(gpu)) {
      List<TaskHandle<String>> handles = AgentsGuide.resources(runtime);

      assertThat(handles.get(0).await()).isInstanceOf(TaskOutcome.Succeeded.class);
      assertThat(handles.get(1).await()).isInstanceOf(TaskOutcome.Succeeded.class);
      assertThat(handles.get(1).join()).isEqualTo("rendered on gpu-1");
    }
  }

  @Test
  void elasticScalingLeavesTheFirstAgentUp() {
    try (AgentRuntime runtime = runtime(Agent.local("cpu-1"))) {
      AgentsGuide.elastic(runtime);

      assertThat(runtime.snapshot().agents())
          .extracting(RuntimeSnapshot.AgentSnapshot::id, RuntimeSnapshot.AgentSnapshot::state)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu-1", AgentState.UP));
    }
  }

  @Test
  void snapshotPrintsEveryAgent() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (AgentRuntime runtime = runtime(AgentsGuide.describe().toArray(Agent[]::new));
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      AgentsGuide.snapshot(runtime, out);
    }

    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .contains("0 queued, 0 running, 0 succeeded", "cpu-1 UP 0/8 busy", "gpu-1 UP 0/2 busy");
  }

  @Test
  void tasksBuildWithTheirOptions() throws InterruptedException {
    Task<byte[]> invoice = TasksGuide.everyOption("4711");
    assertThat(invoice.id()).contains("invoice-4711");
    assertThat(invoice.requiredTags()).containsExactly("pdf");
    assertThat(invoice.timeouts().deadline()).contains(Duration.ofMinutes(1));

    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      assertThat(runtime.submit(TasksGuide.plain(Path.of("a.txt"))).join()).isEqualTo(5L);
      assertThat(runtime.submit(TasksGuide.withContext(List.of(Path.of("a/b"), Path.of("c"))))
          .join()).isEqualTo(3L);
    }
  }

  @Test
  void attemptTimeoutIsNamed() throws InterruptedException {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      assertThat(TasksGuide.whichTimeout(runtime)).isEqualTo("attemptTimeout");
    }
  }

  @Test
  void taskNoAgentCanRunEndsWithNoEligibleAgent() throws InterruptedException {
    try (AgentRuntime runtime = runtime(Agent.local("cpu-1").tags("cpu"))) {
      assertThat(TasksGuide.noEligibleAgent(runtime))
          .isInstanceOf(NoEligibleAgentException.class)
          .hasMessageContaining("[tpu]").hasMessageContaining("cpu-1 UP");
    }
  }

  @Test
  void joinAwaitAndFutureSeeTheOriginalFailure() throws InterruptedException {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      TaskHandle<Integer> failing = OutcomesGuide.failing(runtime);

      assertThat(OutcomesGuide.join(failing)).isEqualTo("failed: file is gone");
      assertThat(OutcomesGuide.await(failing)).isInstanceOfSatisfying(TaskOutcome.Failed.class,
          f -> assertThat(f.cause()).isInstanceOf(IllegalStateException.class));
      assertThat(OutcomesGuide.future(failing).join()).isEqualTo("failed: file is gone");

      TaskHandle<Integer> fine = runtime.submit(Task.of("count", ctx -> 3));
      assertThat(OutcomesGuide.join(fine)).isEqualTo("lines: 3");
      assertThat(OutcomesGuide.future(fine).join()).isEqualTo("3 lines");
    }
  }

  @Test
  void cancelledHandleIsSeenAsCancelled() {
    try (AgentRuntime runtime = runtime()) { // no agent: the task stays queued
      TaskHandle<Integer> queued = runtime.submit(Task.of("count", ctx -> 3));
      queued.cancel();

      assertThat(OutcomesGuide.join(queued)).isEqualTo("cancelled");
      assertThat(OutcomesGuide.future(queued).join()).isEqualTo("cancelled");
    }
  }

  @Test
  void fullQueueRejectsOrTimesOut() {
    try (AgentRuntime runtime = AgentRuntime.builder().queueCapacity(1)
        .backpressure(Backpressure.REJECT).shutdownGrace(Duration.ZERO).build()) {
      Task<String> task = Task.of("report", ctx -> "done");

      assertThat(BackpressureGuide.reject(runtime, task)).isPresent(); // waits: no agent
      assertThat(BackpressureGuide.reject(runtime, task)).isEmpty();
      assertThat(BackpressureGuide.trySubmit(runtime, task)).isFalse();
      assertThat(runtime.snapshot().rejected()).isEqualTo(2);
    }
  }

  @Test
  void cancelEndsTheTaskAtOnce() {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      assertThat(CancellationGuide.cancel(runtime)).isEqualTo(TaskState.CANCELLED);
    }
  }

  @Test
  void closedRuntimeSaysSo() {
    assertThat(ShutdownGuide.close()).isTrue();
  }

  @Test
  void listenerCanBeUnsubscribed() {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      Subscription subscription = EventsGuide.subscribe(runtime);
      OutcomesGuide.join(OutcomesGuide.failing(runtime));
      subscription.close();
      subscription.close(); // harmless
    }
  }

  @Test
  void countsReadWithoutRoutineEvents() {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      Subscription failures = EventsGuide.subscribeWithoutRoutineEvents(runtime);
      for (int i = 0; i < 3; i++) {
        runtime.submit(io.agentry.core.Task.of("resize", ctx -> 1)).join();
      }
      EventsGuide.Counted counted = EventsGuide.resizeCounts(runtime);
      assertThat(counted.succeeded()).isEqualTo(3);
      assertThat(counted.meanQueueWait().isNegative()).isFalse();
      failures.close();
    }
  }

  @Test
  void attemptSeesSubmitterMdcAndRuntimeKeys() {
    try (AgentRuntime runtime = runtime(Agent.local("worker-1"))) {
      assertThat(LoggingGuide.mdc(runtime, "req-7")).isEqualTo("req-7 task-1 charge worker-1");
    }
  }

  @Test
  void policyRetriesOnAnotherAgent() throws InterruptedException {
    AtomicInteger calls = new AtomicInteger();
    Task<String> task = PolicyGuide.retried(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("partner busy");
      }
      return "ok";
    });
    try (AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"))) {
      TaskOutcome<String> outcome = runtime.submit(task).await();

      assertThat(outcome).isInstanceOf(TaskOutcome.Succeeded.class);
      assertThat(outcome.attempts()).isEqualTo(3);
      assertThat(outcome.agents().get(1)).isNotEqualTo(outcome.agents().get(0));
    }
  }
}
