package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AgentLifecycleTest {

  @Test
  void anAgentAddedWhileRunningTakesTheWaitingTasks() {
    try (var runtime = AgentRuntime.builder().build()) {
      TaskHandle<String> h = runtime.submit(Task.of("waits", TaskContext::agent));
      assertThat(h.state()).isEqualTo(TaskState.QUEUED);

      runtime.addAgent(Agent.local("late"));

      assertThat(h.join()).isEqualTo("late");
    }
  }

  @Test
  void aDrainingAgentFinishesItsWorkAndTakesNoNewTask() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(4)).agent(Agent.local("a2").capacity(4)).build()) {
      TaskHandle<String> onA1 = runtime.submit(Task.of("long", ctx -> {
        gate.pass();
        return ctx.agent();
      }));
      awaitState(onA1, TaskState.RUNNING);

      CompletableFuture<Void> drained = runtime.drainAgent("a1");

      assertThat(drained).isNotDone();
      assertThat(runtime.snapshot().agent("a1").orElseThrow().state()).isEqualTo(AgentState.DRAINING);
      for (int i = 0; i < 5; i++) {
        assertThat(runtime.submit(Task.of("new", TaskContext::agent)).join()).isEqualTo("a2");
      }
      gate.open();
      assertThat(onA1.join()).isEqualTo("a1");
      drained.join();
    }
  }

  @Test
  void drainingAnIdleAgentCompletesAtOnce() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      assertThat(runtime.drainAgent("a1")).isDone();
    }
  }

  @Test
  void aDownAgentTakesNothingUntilMarkedUp() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      runtime.markAgentDown("a1");
      TaskHandle<String> h = runtime.submit(Task.of("waits", TaskContext::agent));
      assertThat(h.state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().agent("a1").orElseThrow().state()).isEqualTo(AgentState.DOWN);

      runtime.markAgentUp("a1");

      assertThat(h.join()).isEqualTo("a1");
    }
  }

  @Test
  void removingTheLastAgentLeavesTasksWaitingForTheNext() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      runtime.removeAgent("a1");
      TaskHandle<String> h = runtime.submit(Task.of("waits", TaskContext::agent));
      assertThat(h.state()).isEqualTo(TaskState.QUEUED);

      runtime.addAgent(Agent.local("a2"));

      assertThat(h.join()).isEqualTo("a2");
    }
  }

  @Test
  void removingAnAgentFailsOverEveryAttemptStillRunningOnItAfterOthersEndedInAnyOrder() {
    int n = 6;
    Gate[] gates = new Gate[n];
    java.util.List<TaskHandle<String>> handles = new java.util.ArrayList<>();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(n))
        .shutdownGrace(Duration.ZERO).build()) {
      for (int i = 0; i < n; i++) {
        Gate gate = new Gate();
        gates[i] = gate;
        handles.add(runtime.submit(Task.of("t" + i, ctx -> {
          if (ctx.agent().equals("a1")) {
            gate.pass(); // the removal interrupts it; only an opened gate lets it return
          }
          return ctx.agent();
        })));
      }
      handles.forEach(h -> awaitState(h, TaskState.RUNNING));
      for (int i : new int[] {3, 0, 4}) { // ended in an order unlike the one they started in
        gates[i].open();
        assertThat(handles.get(i).join()).isEqualTo("a1");
      }
      runtime.addAgent(Agent.local("a2").capacity(n));

      runtime.removeAgent("a1");

      for (int i : new int[] {1, 2, 5}) {
        assertThat(handles.get(i).join()).as("task %d failed over", i).isEqualTo("a2");
        assertThat(handles.get(i).outcome().orElseThrow().agents()).containsExactly("a1", "a2");
      }
    }
  }

  @Test
  void unknownAgentIdsAreRejectedByName() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      assertThatThrownBy(() -> runtime.drainAgent("nope"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
      assertThatThrownBy(() -> runtime.removeAgent("nope"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
      assertThatThrownBy(() -> runtime.markAgentDown("nope"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
    }
  }

  @Test
  void addingADuplicateAgentIdIsRejected() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      assertThatThrownBy(() -> runtime.addAgent(Agent.local("a1")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a1'");
    }
  }

  @Test
  void agentsCannotBeAddedAfterClose() {
    var runtime = AgentRuntime.builder().shutdownGrace(Duration.ZERO).build();
    runtime.close();
    assertThatThrownBy(() -> runtime.addAgent(Agent.local("a1")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
