package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.Attempt;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BackendAndSelectorTest {

  /** A backend that completes attempts later, from the test thread, as a remote member would. */
  static final class AsyncBackend implements AgentBackend {
    final LinkedBlockingQueue<Attempt> started = new LinkedBlockingQueue<>();
    final AtomicBoolean closed = new AtomicBoolean();
    final List<String> cancelled = new CopyOnWriteArrayList<>();

    @Override
    public void start(Attempt attempt) {
      attempt.onCancel(() -> cancelled.add(attempt.attemptId()));
      started.add(attempt);
    }

    Attempt next() throws InterruptedException {
      Attempt a = started.poll(10, TimeUnit.SECONDS);
      assertThat(a).as("an attempt was started").isNotNull();
      return a;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void anAgentWhoseAttemptsCompleteElsewhereFitsTheBackendSpi() throws Exception {
    AsyncBackend backend = new AsyncBackend();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.of("remote-1", backend).capacity(2)).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("remote", ctx -> "never run here"));
      Attempt attempt = backend.next();

      assertThat(attempt.attemptId()).isEqualTo(h.id() + "#1");
      assertThat(attempt.context().agent()).isEqualTo("remote-1");
      assertThat(h.state()).isEqualTo(TaskState.RUNNING);
      attempt.succeeded("from afar");

      assertThat(h.join()).isEqualTo("from afar");
      attempt.succeeded("stale"); // a second report is ignored
      assertThat(h.join()).isEqualTo("from afar");
      assertThat(runtime.snapshot().agent("remote-1").orElseThrow().inFlight()).isZero();
    }
    assertThat(backend.closed).isTrue();
  }

  @Test
  void cancellingTellsTheBackendAndTheSlotWaitsForItsReport() throws Exception {
    AsyncBackend backend = new AsyncBackend();
    try (var runtime = AgentRuntime.builder().shutdownGrace(Duration.ZERO)
        .agent(Agent.of("remote-1", backend).capacity(1)).build()) {
      TaskHandle<String> h = runtime.submit(Task.of("remote", ctx -> "x"));
      Attempt attempt = backend.next();

      h.cancel();

      assertThat(backend.cancelled).containsExactly(attempt.attemptId());
      assertThat(attempt.isCancelled()).isTrue();
      TaskHandle<String> next = runtime.submit(Task.of("next", ctx -> "y"));
      assertThat(next.state()).isEqualTo(TaskState.QUEUED);
      attempt.failed(new IllegalStateException("stopped"));
      backend.next().succeeded("y");
      assertThat(next.join()).isEqualTo("y");
      assertThat(h.state()).isEqualTo(TaskState.CANCELLED);
    }
  }

  @Test
  void aBackendCanRunTheWorkOnAThreadOfItsChoosing() {
    AgentBackend sameJvm = attempt -> Thread.ofPlatform().start(attempt::runHere);
    try (var runtime = AgentRuntime.builder().agent(Agent.of("p1", sameJvm)).build()) {
      assertThat(runtime.submit(Task.of("t", ctx -> Thread.currentThread().isVirtual())).join())
          .isFalse();
    }
  }

  @Test
  void aBackendThatCannotRunATaskNeverGetsIt() {
    AgentBackend onlyNamed = new AgentBackend() {
      @Override
      public boolean canRun(Task<?> task) {
        return task.name().startsWith("remote:");
      }

      @Override
      public void start(Attempt attempt) {
        attempt.succeeded("ran remotely");
      }
    };
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.of("remote", onlyNamed)).agent(Agent.local("local")).build()) {
      for (int i = 0; i < 6; i++) {
        assertThat(runtime.submit(Task.of("lambda", TaskContext::agent)).join()).isEqualTo("local");
      }
      assertThat(runtime.submit(Task.<Object>builder("remote:resize", ctx -> "here")
          .requires().build()).toCompletableFuture().join()).isIn("ran remotely", "here");
    }
  }

  @Test
  void aBackendThatThrowsOnStartFailsTheAttempt() {
    AgentBackend broken = attempt -> {
      throw new IllegalStateException("cannot reach member");
    };
    try (var runtime = AgentRuntime.builder().agent(Agent.of("b1", broken)).build()) {
      TaskHandle<Integer> h = runtime.submit(Task.of("t", ctx -> 1));
      assertThatThrownBy(h::join).cause().hasMessage("cannot reach member");
    }
  }

  @Test
  void aSelectorMayPinATaskToABusyAgentUntilTheAffinityWaitPasses() {
    ManualScheduler clock = new ManualScheduler();
    AgentSelector alwaysA1 = (task, eligible) ->
        eligible.stream().filter(a -> a.id().equals("a1")).findFirst().orElse(eligible.get(0));
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().scheduler(clock).selector(alwaysA1)
        .affinityWait(Duration.ofSeconds(2)).shutdownGrace(Duration.ZERO)
        .agent(Agent.local("a1").capacity(1)).agent(Agent.local("a2").capacity(1)).build()) {
      TaskHandle<String> busy = runtime.submit(Task.of("busy", ctx -> {
        gate.pass();
        return ctx.agent();
      }));
      Fixtures.awaitState(busy, TaskState.RUNNING);
      TaskHandle<String> pinned = runtime.submit(Task.of("pinned", TaskContext::agent));

      assertThat(pinned.state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().queued()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(2));

      assertThat(pinned.join()).isEqualTo("a2");
      gate.open();
      assertThat(busy.join()).isEqualTo("a1");
    }
  }

  @Test
  void aPinnedTaskRunsOnItsAgentWhenASlotFrees() {
    AgentSelector alwaysA1 = (task, eligible) ->
        eligible.stream().filter(a -> a.id().equals("a1")).findFirst().orElse(eligible.get(0));
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().selector(alwaysA1).affinityWait(Duration.ofHours(1))
        .agent(Agent.local("a1").capacity(1)).agent(Agent.local("a2").capacity(1)).build()) {
      TaskHandle<String> busy = runtime.submit(Task.of("busy", ctx -> {
        gate.pass();
        return ctx.agent();
      }));
      Fixtures.awaitState(busy, TaskState.RUNNING);
      List<TaskHandle<String>> pinned = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        pinned.add(runtime.submit(Task.of("pinned", TaskContext::agent)));
      }

      gate.open();

      assertThat(pinned.stream().map(TaskHandle::join)).containsOnly("a1");
    }
  }

  @Test
  void aThrowingSelectorFallsBackToAnAgentWithRoom() {
    AgentSelector broken = (task, eligible) -> {
      throw new IllegalStateException("broken selector");
    };
    try (var runtime = AgentRuntime.builder().selector(broken).agent(Agent.local("a1")).build()) {
      assertThat(runtime.submit(Task.of("t", TaskContext::agent)).join()).isEqualTo("a1");
    }
  }
}
