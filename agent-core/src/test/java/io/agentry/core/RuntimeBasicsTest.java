package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RuntimeBasicsTest {

  @Test
  void returnsTheResultOfTheWork() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("greet", ctx -> "hi from " + ctx.agent()));

      assertThat(h.join()).isEqualTo("hi from a1");
      assertThat(h.state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.Succeeded.class, s -> {
        assertThat(s.value()).isEqualTo("hi from a1");
        assertThat(s.attempts()).isEqualTo(1);
        assertThat(s.agents()).containsExactly("a1");
        assertThat(s.taskId()).isEqualTo(h.id());
      });
    }
  }

  @Test
  void workThatThrowsEndsFailedWithTheOriginalException() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("fail", ctx -> {
        throw boom;
      }));

      assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class).cause().isSameAs(boom);
      assertThat(h.await()).isInstanceOfSatisfying(TaskOutcome.Failed.class,
          f -> assertThat(f.cause()).isSameAs(boom));
      assertThat(h.toCompletableFuture()).isCompletedExceptionally();
    }
  }

  @Test
  void anErrorFromTheWorkFailsTheTaskButNotTheRuntime() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<Object> bad = runtime.submit(Task.of("error", ctx -> {
        throw new AssertionError("bad work");
      }));
      assertThatThrownBy(bad::join).isInstanceOf(TaskFailedException.class)
          .cause().isInstanceOf(AssertionError.class);

      assertThat(runtime.submit(Task.of("after", ctx -> 42)).join()).isEqualTo(42);
    }
  }

  @Test
  void generatedIdsAreUniqueAndUserIdsAreKept() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      TaskHandle<Integer> a = runtime.submit(Task.of("t", ctx -> 1));
      TaskHandle<Integer> b = runtime.submit(Task.of("t", ctx -> 1));
      TaskHandle<String> c = runtime.submit(Task.builder("t", TaskContext::taskId).id("order-7").build());

      assertThat(a.id()).isNotEqualTo(b.id());
      assertThat(c.join()).isEqualTo("order-7");
      assertThat(c.id()).isEqualTo("order-7");
    }
  }

  @Test
  void aUserIdStillInFlightIsRejectedAndFreeAgainAfterwards() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      Task<String> task = Task.builder("t", ctx -> {
        gate.pass();
        return "done";
      }).id("job-1").build();
      TaskHandle<String> first = runtime.submit(task);

      assertThatThrownBy(() -> runtime.submit(task)).isInstanceOf(RejectedTaskException.class)
          .hasMessageContaining("'job-1'").hasMessageContaining("already in flight");

      gate.open();
      first.join();
      assertThat(runtime.submit(task).join()).isEqualTo("done");
    }
  }

  @Test
  void aTaskWaitsForAFreeSlotThenRunsThere() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<String> first = runtime.submit(Task.of("first", ctx -> {
        gate.pass();
        return "first";
      }));
      awaitState(first, TaskState.RUNNING);
      TaskHandle<String> second = runtime.submit(Task.of("second", ctx -> "second"));

      assertThat(second.state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().queued()).isEqualTo(1);

      gate.open();
      assertThat(second.join()).isEqualTo("second");
      assertThat(first.join()).isEqualTo("first");
    }
  }

  @Test
  void roundRobinRotatesOverAgentsWithRoom() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(4))
        .agent(Agent.local("a2").capacity(4))
        .agent(Agent.local("a3").capacity(4))
        .build()) {
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        handles.add(runtime.submit(Task.of("t", ctx -> {
          gate.pass();
          return ctx.agent();
        })));
      }
      gate.open();

      assertThat(handles.stream().map(TaskHandle::join))
          .containsExactly("a1", "a2", "a3", "a1", "a2", "a3");
    }
  }

  @Test
  void tasksRunOnlyOnAgentsWithTheRequiredTags() {
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("cpu-1").tags("cpu"))
        .agent(Agent.local("gpu-1").tags("gpu", "cuda"))
        .agent(Agent.local("cpu-2").tags("cpu"))
        .build()) {
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        handles.add(runtime.submit(
            Task.builder("train", TaskContext::agent).requires("gpu", "cuda").build()));
      }

      assertThat(handles.stream().map(TaskHandle::join)).containsOnly("gpu-1");
    }
  }

  @Test
  void resourcesBoundHowManyAttemptsRunAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("big").capacity(10).resource("memoryGb", 8))
        .build()) {
      List<TaskHandle<Integer>> handles = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        handles.add(runtime.submit(Task.builder("load", ctx -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            gate.pass();
          } finally {
            running.decrementAndGet();
          }
          return 1;
        }).resource("memoryGb", 4).build()));
      }
      awaitState(handles.get(1), TaskState.RUNNING);

      assertThat(handles.get(2).state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().agent("big").orElseThrow().inFlight()).isEqualTo(2);
      gate.open();
      handles.forEach(TaskHandle::join);
      assertThat(most.get()).isEqualTo(2);
    }
  }

  @Test
  void snapshotCountsWhatHappened() {
    try (var runtime = AgentRuntime.builder().name("counts").agent(Agent.local("a1")).build()) {
      runtime.submit(Task.of("ok", ctx -> 1)).join();
      TaskHandle<Object> bad = runtime.submit(Task.of("bad", ctx -> {
        throw new IllegalStateException();
      }));
      assertThatThrownBy(bad::join).isInstanceOf(TaskFailedException.class);

      RuntimeSnapshot s = runtime.snapshot();
      assertThat(s.runtime()).isEqualTo("counts");
      assertThat(s.submitted()).isEqualTo(2);
      assertThat(s.succeeded()).isEqualTo(1);
      assertThat(s.failed()).isEqualTo(1);
      assertThat(s.completed()).isEqualTo(2);
      assertThat(s.agents()).singleElement().satisfies(a -> {
        assertThat(a.id()).isEqualTo("a1");
        assertThat(a.state()).isEqualTo(AgentState.UP);
        assertThat(a.succeeded()).isEqualTo(1);
        assertThat(a.failed()).isEqualTo(1);
        assertThat(a.inFlight()).isZero();
      });
    }
  }
}
