package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import io.agentry.core.spi.TaskQueue;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Queue disciplines through a real runtime: one agent with one slot, so starts follow the queue. */
class RuntimeQueuesTest {

  /** Runs a blocker, queues the tasks behind it, then lets everything run to the end. */
  private static void startOrder(TaskQueue queue, List<Task.Builder<String>> tasks) {
    CountDownLatch release = new CountDownLatch(1);
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("only").capacity(1))
        .queue(queue)
        .build()) {
      TaskHandle<String> blocker = runtime.submit(Task.of("blocker", ctx -> {
        release.await(30, TimeUnit.SECONDS);
        return "blocker";
      }));
      await().atMost(Duration.ofSeconds(10)).until(() -> blocker.state() == TaskState.RUNNING);
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (Task.Builder<String> b : tasks) {
        handles.add(runtime.submit(b.build()));
      }
      release.countDown();
      handles.forEach(TaskHandle::join);
    }
  }

  /** Tasks record their start order through a shared list; the result is their name. */
  private static Task.Builder<String> named(String name, List<String> started) {
    return Task.builder(name, ctx -> {
      started.add(name);
      return name;
    });
  }

  @Test
  void priorityStartsHigherPrioritiesFirst() {
    List<String> started = new CopyOnWriteArrayList<>();
    startOrder(Queues.priority(), List.of(
        named("low", started).priority(1),
        named("high", started).priority(9),
        named("mid", started).priority(5),
        named("high2", started).priority(9)));

    assertThat(started).containsExactly("high", "high2", "mid", "low");
  }

  /**
   * Submits from a platform thread are taken in by another thread, maybe after {@code submit}
   * returned. A slot freed by an end that came after the submits must still go by priority among
   * all of them, also those not taken in yet when the end arrived. The lowest is submitted and taken
   * in first (a snapshot takes in what was queued), so that a slot given away before the others are
   * taken in goes to it; repeated, since the window is short.
   */
  @Test
  void priorityHoldsForSubmitsStillBeingTakenInWhenASlotFrees() throws Exception {
    for (int round = 0; round < 300; round++) {
      List<String> started = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("only").capacity(1))
          .queue(Queues.priority()).build()) {
        TaskHandle<String> blocker = runtime.submit(Task.of("blocker", ctx -> {
          release.await(30, TimeUnit.SECONDS);
          return "blocker";
        }));
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
            .until(() -> blocker.state() == TaskState.RUNNING);
        List<TaskHandle<String>> handles = new ArrayList<>();
        handles.add(runtime.submit(named("p1", started).priority(1).build()));
        runtime.snapshot(); // p1 is taken in now; the others below only after they are submitted
        for (int p = 2; p <= 6; p++) {
          handles.add(runtime.submit(named("p" + p, started).priority(p).build()));
        }
        release.countDown();
        for (TaskHandle<String> h : handles) {
          h.join();
        }
      }
      assertThat(started).as("round %d", round).containsExactly("p6", "p5", "p4", "p3", "p2", "p1");
    }
  }

  @Test
  void earliestDeadlineFirstStartsTheMostUrgentFirst() {
    List<String> started = new CopyOnWriteArrayList<>();
    startOrder(Queues.earliestDeadlineFirst(), List.of(
        named("none", started),
        named("in-an-hour", started).deadline(Duration.ofHours(1)),
        named("in-a-minute", started).deadline(Duration.ofMinutes(1)),
        named("none-2", started)));

    assertThat(started).containsExactly("in-a-minute", "in-an-hour", "none", "none-2");
  }

  @Test
  void fairShareInterleavesTenantsByWeight() {
    List<String> started = new CopyOnWriteArrayList<>();
    List<Task.Builder<String>> tasks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tasks.add(named("gold", started).label("tenant", "gold"));
    }
    for (int i = 0; i < 8; i++) {
      tasks.add(named("bronze", started).label("tenant", "bronze"));
    }

    startOrder(Queues.fairShare(FairShareConfig.builder().keyedByLabel("tenant").weight("gold", 3)
        .build()), tasks);

    assertThat(started.subList(0, 8)).containsExactly("gold", "gold", "bronze", "gold", "gold", "gold",
        "bronze", "gold");
  }

  /**
   * Aging through the runtime, on a manual clock: two priority-5 tasks arrive every half second while
   * one starts, forever; a priority-0 task still starts before any task that arrives (5 - 0) × 1 s
   * or more after it.
   */
  @Test
  void agingStartsALowPriorityTaskWithinTheBoundUnderAnEndlessHighPriorityStream() {
    ManualScheduler clock = new ManualScheduler();
    Semaphore finish = new Semaphore(0);
    List<String> started = new CopyOnWriteArrayList<>();
    Map<String, Long> submittedAt = new HashMap<>();
    Duration interval = Duration.ofSeconds(1);
    int high = 5;
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("only").capacity(1))
        .queue(Queues.priority(interval))
        .scheduler(clock)
        .shutdownGrace(Duration.ofSeconds(5))
        .build()) {
      int[] n = {0};
      java.util.function.IntFunction<String> submit = priority -> {
        String name = (priority == 0 ? "low-" : "high-") + n[0]++;
        submittedAt.put(name, clock.nanoTime());
        runtime.submit(Task.builder(name, ctx -> {
          started.add(name);
          finish.acquire();
          return name;
        }).priority(priority).build());
        return name;
      };
      submit.apply(high); // the first one runs at once and keeps the agent busy
      await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == 1);
      String low = submit.apply(0);
      long bound = submittedAt.get(low) + high * interval.toNanos();

      for (int step = 0; step < 200 && !started.contains(low); step++) {
        clock.advance(Duration.ofMillis(500));
        submit.apply(high);
        submit.apply(high);
        int before = started.size();
        finish.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.size() == before + 1);
      }

      assertThat(started).contains(low);
      for (String name : started.subList(0, started.indexOf(low))) {
        assertThat(submittedAt.get(name)).as("%s started before %s", name, low).isLessThan(bound);
      }
      finish.release(10_000);
    }
  }
}
