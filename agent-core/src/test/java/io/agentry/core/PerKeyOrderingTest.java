package io.agentry.core;

import static io.agentry.core.Fixtures.awaitState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PerKeyOrderingTest {

  @Test
  void tasksOfOneKeyRunOneAtATimeInSubmissionOrder() {
    Gate gate = new Gate();
    List<Integer> order = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(8)).build()) {
      List<TaskHandle<Integer>> handles = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        int n = i;
        handles.add(runtime.submit(Task.builder("update", ctx -> {
          if (n == 0) {
            gate.pass();
          }
          order.add(n);
          return n;
        }).key("account-1").orderedByKey().build()));
      }
      TaskHandle<String> other = runtime.submit(
          Task.builder("other", ctx -> "free").key("account-2").orderedByKey().build());

      assertThat(other.join()).isEqualTo("free");
      assertThat(handles.get(0).state()).isEqualTo(TaskState.RUNNING);
      assertThat(handles.subList(1, 5)).allMatch(h -> h.state() == TaskState.QUEUED);
      gate.open();
      handles.forEach(TaskHandle::join);
      assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }
  }

  @Test
  void anyEndReleasesTheKey() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(4)).build()) {
      TaskHandle<Integer> failing = runtime.submit(Task.<Integer>builder("fails", ctx -> {
        gate.pass();
        throw new IllegalStateException("x");
      }).key("k").orderedByKey().build());
      awaitState(failing, TaskState.RUNNING);
      TaskHandle<Integer> cancelled = runtime.submit(
          Task.builder("cancelled", ctx -> 2).key("k").orderedByKey().build());
      TaskHandle<Integer> last = runtime.submit(
          Task.builder("last", ctx -> 3).key("k").orderedByKey().build());

      cancelled.cancel();
      gate.open();

      assertThat(last.join()).isEqualTo(3);
      assertThat(failing.state()).isEqualTo(TaskState.FAILED);
      assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
    }
  }

  @Test
  void tasksWithTheKeyButNotOrderedDoNotWait() {
    Gate gate = new Gate();
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(4)).build()) {
      TaskHandle<Integer> holder = runtime.submit(Task.builder("holder", ctx -> {
        gate.pass();
        return 1;
      }).key("k").orderedByKey().build());
      awaitState(holder, TaskState.RUNNING);

      assertThat(runtime.submit(Task.builder("free", ctx -> 2).key("k").build()).join()).isEqualTo(2);
      gate.open();
    }
  }

  @Test
  void orderedByKeyNeedsAKey() {
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).orderedByKey().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("requires a key");
  }

  @Test
  void orderHoldsUnderConcurrentSubmitters() throws Exception {
    int keys = 8;
    int perSubmitter = 500;
    int submitters = 4;
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(16)).agent(Agent.local("a2").capacity(16)).build()) {
      List<TaskHandle<Integer>> all = new CopyOnWriteArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < submitters; s++) {
        int submitter = s;
        threads.add(Thread.ofPlatform().start(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          for (int i = 0; i < perSubmitter; i++) {
            String key = "k" + (i % keys);
            int seq = submitter * perSubmitter + i; // increasing per submitter and key
            all.add(runtime.submit(Task.builder("ordered", ctx -> {
              if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              seen.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(seq);
              Thread.yield();
              running.get(key).decrementAndGet();
              return seq;
            }).key(key).orderedByKey().build()));
          }
        }));
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      all.forEach(TaskHandle::join);

      assertThat(overlaps).hasValue(0);
      assertThat(seen.values().stream().mapToInt(List::size).sum())
          .isEqualTo(submitters * perSubmitter);
      for (List<Integer> perKey : seen.values()) {
        for (int s = 0; s < submitters; s++) {
          int lo = s * perSubmitter;
          int hi = lo + perSubmitter;
          List<Integer> fromOne = perKey.stream().filter(v -> v >= lo && v < hi).toList();
          assertThat(fromOne).isSorted();
        }
      }
    }
  }
}
