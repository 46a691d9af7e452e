package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Fixtures.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AdmissionAndShutdownTest {

  @Test
  void rejectBackpressureThrowsWhenTheQueueIsFull() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().queueCapacity(1).backpressure(Backpressure.REJECT)
        .shutdownGrace(Duration.ZERO).agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<Integer> running = runtime.submit(Task.of("runs", ctx -> {
        gate.pass();
        return 1;
      }));
      awaitState(running, TaskState.RUNNING);
      runtime.submit(Task.of("waits", ctx -> 2));

      assertThatThrownBy(() -> runtime.submit(Task.of("third", ctx -> 3)))
          .isInstanceOf(RejectedTaskException.class)
          .hasMessageContaining("queueCapacity=1").hasMessageContaining("REJECT");
      assertThat(runtime.snapshot().rejected()).isEqualTo(1);
      gate.open();
    }
  }

  @Test
  void blockBackpressureWaitsForRoom() throws Exception {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().queueCapacity(1)
        .agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<Integer> running = runtime.submit(Task.of("runs", ctx -> {
        gate.pass();
        return 1;
      }));
      awaitState(running, TaskState.RUNNING);
      runtime.submit(Task.of("waits", ctx -> 2));

      CompletableFuture<TaskHandle<Integer>> blocked =
          CompletableFuture.supplyAsync(() -> runtime.submit(Task.of("third", ctx -> 3)),
              r -> Thread.ofVirtual().start(r));
      assertThat(runtime.trySubmit(Task.of("try", ctx -> 4), Duration.ZERO)).isEmpty();
      assertThat(blocked).isNotDone();

      gate.open();
      assertThat(blocked.get(10, TimeUnit.SECONDS).join()).isEqualTo(3);
    }
  }

  @Test
  void trySubmitAcceptsWhenThereIsRoom() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      assertThat(runtime.trySubmit(Task.of("t", ctx -> 5), Duration.ofSeconds(1)))
          .get().satisfies(h -> assertThat(h.join()).isEqualTo(5));
    }
  }

  @Test
  void closeLetsQueuedAndRunningWorkFinish() {
    Gate gate = new Gate();
    var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(1)).build();
    TaskHandle<Integer> running = runtime.submit(Task.of("runs", ctx -> {
      gate.pass();
      return 1;
    }));
    awaitState(running, TaskState.RUNNING);
    TaskHandle<Integer> queued = runtime.submit(Task.of("queued", ctx -> 2));
    CompletableFuture<Void> closing = CompletableFuture.runAsync(runtime::close,
        r -> Thread.ofVirtual().start(r));
    await().atMost(Duration.ofSeconds(10)).until(runtime::isClosed);

    assertThatThrownBy(() -> runtime.submit(Task.of("late", ctx -> 3)))
        .isInstanceOf(RejectedTaskException.class).hasMessageContaining("closed");
    assertThat(closing).isNotDone();
    gate.open();
    closing.join();

    assertThat(running.join()).isEqualTo(1);
    assertThat(queued.join()).isEqualTo(2);
  }

  @Test
  void closeCancelsWhatIsLeftAfterTheGracePeriod() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    var runtime = AgentRuntime.builder().shutdownGrace(Duration.ZERO)
        .agent(Agent.local("a1").capacity(1)).build();
    TaskHandle<Integer> running = runtime.submit(Task.of("runs", ctx -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return 1;
    }));
    awaitState(running, TaskState.RUNNING);
    TaskHandle<Integer> queued = runtime.submit(Task.of("queued", ctx -> 2));
    TaskHandle<Integer> noAgent = runtime.submit(Task.builder("gpu", ctx -> 3).requires("gpu").build());

    runtime.close();

    for (TaskHandle<Integer> h : List.of(running, queued, noAgent)) {
      assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.Cancelled.class,
          c -> assertThat(c.reason()).contains("closed"));
    }
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(runtime.snapshot().cancelled()).isEqualTo(3);
  }

  @Test
  void closeWakesBlockedSubmittersWithARejection() {
    Gate gate = new Gate();
    var runtime = AgentRuntime.builder().queueCapacity(1).shutdownGrace(Duration.ZERO)
        .agent(Agent.local("a1").capacity(1)).build();
    TaskHandle<Integer> running = runtime.submit(Task.of("runs", ctx -> {
      gate.pass();
      return 1;
    }));
    awaitState(running, TaskState.RUNNING);
    runtime.submit(Task.of("waits", ctx -> 2));
    List<CompletableFuture<TaskHandle<Integer>>> blocked = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      blocked.add(CompletableFuture.supplyAsync(() -> runtime.submit(Task.of("b", ctx -> 3)),
          r -> Thread.ofVirtual().start(r)));
    }

    runtime.close();
    gate.open();

    for (CompletableFuture<TaskHandle<Integer>> b : blocked) {
      assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(RejectedTaskException.class).hasMessageContaining("closed");
    }
  }

  @Test
  void closingTwiceIsHarmless() {
    var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build();
    runtime.close();
    runtime.close();
    assertThat(runtime.isClosed()).isTrue();
  }
}
