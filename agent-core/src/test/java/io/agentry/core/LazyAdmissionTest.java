package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskSubmitted;
import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import io.agentry.core.spi.Attempt;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * With the built-in FIFO queue, a submission that finds no free slot waits in the hand-off queue
 * and is taken in when a slot frees (docs/decisions.md, D22). These tests hold the runtime's promises
 * for such submissions: every other call sees them, their order and times are kept, and none is left
 * waiting while a slot is free.
 */
class LazyAdmissionTest {

  @Test
  void submitsWaitingForASlotAreSeenCountedCancellableAndStartInOrder() throws Exception {
    Gate gate = new Gate();
    List<Integer> started = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<Integer> blocker = occupy(runtime, gate);
      List<TaskHandle<Integer>> waiting = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        int n = i;
        waiting.add(runtime.submit(Task.of("waiting", ctx -> {
          started.add(n);
          return n;
        })));
      }

      assertThat(runtime.snapshot().queued()).isEqualTo(50);
      assertThat(runtime.snapshot().submitted()).isEqualTo(51);
      assertThat(runtime.taskCounts("waiting").orElseThrow().submitted()).isEqualTo(50);
      assertThat(waiting.get(9).cancel()).isTrue();
      assertThat(waiting.get(9).state()).isEqualTo(TaskState.CANCELLED);

      gate.open();
      for (int i = 0; i < waiting.size(); i++) {
        if (i != 9) {
          assertThat(waiting.get(i).join()).isEqualTo(i + 1);
        }
      }
      List<Integer> expected = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        if (i != 10) {
          expected.add(i);
        }
      }
      assertThat(started).containsExactlyElementsOf(expected); // one slot: submit order
      assertThat(blocker.join()).isZero();
    }
  }

  @Test
  void aRunThatCannotStartDoesNotHoldBackTheSubmitsBehindIt() throws Exception {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("cpu-1").capacity(2))
        .shutdownGrace(Duration.ZERO).build()) {
      TaskHandle<Integer> gpu = runtime.submit(Task.builder("train", ctx -> 1)
          .requires("gpu").queueTimeout(Duration.ofMinutes(5)).build());
      List<TaskHandle<Integer>> plain = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        plain.add(runtime.submit(Task.of("plain", ctx -> n)));
      }

      for (int i = 0; i < plain.size(); i++) {
        assertThat(plain.get(i).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(i);
      }
      assertThat(gpu.state()).isEqualTo(TaskState.QUEUED);
      assertThat(runtime.snapshot().queued()).isEqualTo(1);
    }
  }

  @Test
  void aTaskRetriedAtOnceGoesBehindTheSubmitsMadeBeforeTheRetry() throws Exception {
    ExecutionPolicy retryOnce = report -> report.failure() != null && report.attempt() < 2
        ? Decision.retry(Duration.ZERO) : Decision.complete();
    Gate gate = new Gate();
    List<String> started = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().policy(retryOnce)
        .agent(Agent.local("a1").capacity(1)).build()) {
      TaskHandle<Integer> flaky = runtime.submit(Task.of("flaky", ctx -> {
        started.add("flaky#" + ctx.attempt());
        if (ctx.attempt() == 1) {
          gate.pass();
          throw new IllegalStateException("first attempt fails");
        }
        return 0;
      }));
      awaitState(flaky, TaskState.RUNNING);
      List<TaskHandle<Integer>> later = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        int n = i;
        later.add(runtime.submit(Task.of("later", ctx -> {
          started.add("later" + n);
          return n;
        })));
      }
      gate.open();

      assertThat(flaky.toCompletableFuture().get(10, TimeUnit.SECONDS)).isZero();
      for (TaskHandle<Integer> h : later) {
        h.toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(started).containsExactly("flaky#1", "later1", "later2", "later3", "flaky#2");
    }
  }

  @Test
  void closeCancelsSubmitsStillWaitingForASlot() {
    Gate gate = new Gate();
    List<TaskHandle<Integer>> waiting = new ArrayList<>();
    TaskHandle<Integer> blocker;
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(1))
        .shutdownGrace(Duration.ZERO).build()) {
      blocker = occupy(runtime, gate); // the gate never opens: close() interrupts its work
      for (int i = 0; i < 20; i++) {
        waiting.add(runtime.submit(Task.of("waiting", ctx -> 1)));
      }
    }
    for (TaskHandle<Integer> h : waiting) {
      assertThat(h.state()).isEqualTo(TaskState.CANCELLED);
      assertThat(h.outcome()).get().isInstanceOf(TaskOutcome.Cancelled.class);
    }
    assertThat(blocker.state().isTerminal()).isTrue();
  }

  @Test
  void aTaskThatWaitedForASlotReportsItsSubmitTimeAndTheWholeWait() {
    ManualScheduler clock = new ManualScheduler();
    // declines routine events, so admission stays lazy
    TaskCountsTest.NoRoutine quiet = new TaskCountsTest.NoRoutine();
    List<RuntimeEvent> events = quiet.events;
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().scheduler(clock).listener(quiet)
        .agent(Agent.local("a1").capacity(1)).build()) {
      occupy(runtime, gate);
      Instant submittedAt = clock.now();
      TaskHandle<Integer> late = runtime.submit(Task.of("late", ctx -> 1));

      clock.advance(Duration.ofSeconds(5));
      gate.open();

      assertThat(late.join()).isEqualTo(1);
      TaskOutcome<Integer> outcome = late.outcome().orElseThrow();
      assertThat(outcome.submittedAt()).isEqualTo(submittedAt);
      assertThat(outcome.queueWait()).isEqualTo(Duration.ofSeconds(5));
      assertThat(runtime.taskCounts("late").orElseThrow().totalQueueWait())
          .isEqualTo(Duration.ofSeconds(5));
      assertThat(events).filteredOn(TaskSubmitted.class::isInstance)
          .map(e -> (TaskSubmitted) e)
          .filteredOn(e -> e.taskName().equals("late"))
          .singleElement()
          .satisfies(e -> assertThat(e.at()).isEqualTo(submittedAt));
    }
  }

  /**
   * A backend reports an attempt's end from a platform thread, in a section that frees the slot,
   * while the submitter's next task is on its way into the hand-off queue. If the submitter finds no
   * free slot yet, it leaves the task there; the reporting thread must then take it in after it lets
   * the lock go, or the task waits with the slot free and nothing left to wake it. Each task is
   * submitted as soon as the one before has started (and is being reported), many times over, so the
   * two meet often.
   */
  @Test
  void aSlotFreedByABackendReportTakesInTheSubmitsThatWaitedForIt() throws Exception {
    ExecutorService reporters = Executors.newFixedThreadPool(2);
    Semaphore started = new Semaphore(0);
    AgentBackend backend = new AgentBackend() {
      @Override
      public void start(Attempt attempt) {
        started.release();
        reporters.execute(() -> attempt.succeeded(1));
      }
    };
    List<TaskHandle<Integer>> handles = new ArrayList<>();
    try (var runtime = AgentRuntime.builder().agent(Agent.of("remote", backend).capacity(1))
        .build()) {
      for (int i = 0; i < 20_000; i++) {
        handles.add(runtime.submit(Task.of("ping", ctx -> 0)));
        assertThat(started.tryAcquire(10, TimeUnit.SECONDS)).as("task %d started", i).isTrue();
      }
      for (TaskHandle<Integer> h : handles) {
        assertThat(h.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1);
      }
    } finally {
      reporters.shutdownNow();
    }
  }

  /**
   * Submitters on platform and virtual threads against few slots, with an agent marked down and up
   * and another added and removed meanwhile: submissions wait in the hand-off queue often, and are
   * taken in by attempt ends, by the agent calls and by the submitters themselves. Every task ends
   * exactly once, and the counts add up.
   */
  @Test
  void underChurnNoSubmitIsLeftWaitingAndEveryTaskEndsOnce() throws Exception {
    int perSubmitter = 5_000;
    AtomicInteger ran = new AtomicInteger();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(2))
        .agent(Agent.local("a2").capacity(1))
        .queueCapacity(100_000).build()) {
      Task<Integer> task = Task.of("churn", ctx -> ran.incrementAndGet());
      List<TaskHandle<Integer>> handles = new CopyOnWriteArrayList<>();
      List<Thread> submitters = List.of(
          Thread.ofPlatform().unstarted(() -> submit(runtime, task, perSubmitter, handles)),
          Thread.ofPlatform().unstarted(() -> submit(runtime, task, perSubmitter, handles)),
          Thread.ofVirtual().unstarted(() -> submit(runtime, task, perSubmitter, handles)),
          Thread.ofVirtual().unstarted(() -> submit(runtime, task, perSubmitter, handles)));
      Thread churn = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 300; i++) {
          runtime.markAgentDown("a2");
          runtime.addAgent(Agent.local("extra").capacity(1));
          runtime.markAgentUp("a2");
          runtime.removeAgent("extra");
        }
      });
      submitters.forEach(Thread::start);
      for (Thread t : submitters) {
        t.join();
      }
      churn.join();

      assertThat(handles).hasSize(4 * perSubmitter);
      int succeeded = 0;
      for (TaskHandle<Integer> h : handles) {
        TaskOutcome<Integer> o = h.toCompletableFuture().handle((v, e) -> h.outcome().orElseThrow())
            .get(30, TimeUnit.SECONDS);
        if (o instanceof TaskOutcome.Succeeded<Integer>) {
          succeeded++;
        }
      }
      RuntimeSnapshot s = runtime.snapshot();
      assertThat(s.submitted()).isEqualTo(4L * perSubmitter);
      assertThat(s.succeeded() + s.failed() + s.cancelled() + s.timedOut())
          .isEqualTo(4L * perSubmitter);
      assertThat(s.queued()).isZero();
      assertThat(s.succeeded()).isEqualTo(succeeded);
      assertThat(ran.get()).isGreaterThanOrEqualTo(succeeded);
    }
  }

  /**
   * Takes the runtime's one slot with a task that waits for the gate (an interrupt ends it), once
   * it runs: what is submitted next waits for a slot.
   */
  private static TaskHandle<Integer> occupy(AgentRuntime runtime, Gate gate) {
    TaskHandle<Integer> blocker = runtime.submit(Task.of("blocker", ctx -> {
      gate.pass();
      return 0;
    }));
    awaitState(blocker, TaskState.RUNNING);
    return blocker;
  }

  private static void submit(AgentRuntime runtime, Task<Integer> task, int count,
      List<TaskHandle<Integer>> handles) {
    for (int i = 0; i < count; i++) {
      handles.add(runtime.submit(task));
    }
  }
}
