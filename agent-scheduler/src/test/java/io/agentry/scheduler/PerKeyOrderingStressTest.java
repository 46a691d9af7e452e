package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.spi.TaskQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-key ordering (core's promise) holds with every discipline of this module, and with a
 * load-aware selector, under concurrent submitters: tasks of one key never overlap, and each
 * submitter's tasks of a key run in the order it submitted them, whatever their priority, deadline
 * or tenant.
 */
class PerKeyOrderingStressTest {
  private static final int SUBMITTERS = 4;
  private static final int TASKS_PER_SUBMITTER = 1_000;
  private static final int KEYS = 12;

  static Stream<Named<Supplier<TaskQueue>>> disciplines() {
    return Stream.of(
        Named.of("fifo", Queues::fifo),
        Named.of("priority", Queues::priority),
        Named.of("priorityWithAging", () -> Queues.priority(Duration.ofMillis(1))),
        Named.of("fairShare", () -> Queues.fairShare(FairShareConfig.builder()
            .keyedByLabel("tenant").weight("t0", 3).build())),
        Named.of("earliestDeadlineFirst", Queues::earliestDeadlineFirst));
  }

  private record Run(int submitter, int index) {}

  @ParameterizedTest
  @MethodSource("disciplines")
  void tasksOfOneKeyRunOneAtATimeInSubmissionOrder(Supplier<TaskQueue> queue) throws Exception {
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    Map<String, List<Run>> runs = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(4)).agent(Agent.local("a2").capacity(4))
        .agent(Agent.local("a3").capacity(2))
        .queue(queue.get())
        .selector(Selectors.powerOfTwoChoices())
        .build();
        ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<TaskHandle<Run>>>> futures = new ArrayList<>();
      for (int s = 0; s < SUBMITTERS; s++) {
        int submitter = s;
        futures.add(submitters.submit(() -> {
          SplittableRandom random = new SplittableRandom(submitter);
          List<TaskHandle<Run>> handles = new ArrayList<>();
          start.await();
          for (int i = 0; i < TASKS_PER_SUBMITTER; i++) {
            String key = "key-" + random.nextInt(KEYS);
            Run run = new Run(submitter, i);
            Task.Builder<Run> b = Task.builder("update", ctx -> {
              AtomicInteger active = running.computeIfAbsent(key, k -> new AtomicInteger());
              if (active.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              runs.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(run);
              Thread.yield();
              active.decrementAndGet();
              return run;
            }).key(key).orderedByKey()
                .priority(random.nextInt(5))
                .label("tenant", "t" + random.nextInt(3));
            if (random.nextBoolean()) {
              b.deadline(Duration.ofMinutes(10 + random.nextInt(50)));
            }
            handles.add(runtime.submit(b.build()));
            // unordered tasks of the same keys and others mixed in
            if (i % 7 == 0) {
              handles.add(runtime.submit(Task.builder("free", ctx -> run).key(key)
                  .priority(random.nextInt(5)).build()));
            }
          }
          return handles;
        }));
      }
      start.countDown();
      for (Future<List<TaskHandle<Run>>> f : futures) {
        f.get().forEach(TaskHandle::join);
      }
    }

    assertThat(overlaps).hasValue(0);
    int total = 0;
    for (List<Run> ofKey : runs.values()) {
      total += ofKey.size();
      for (int s = 0; s < SUBMITTERS; s++) {
        int submitter = s;
        List<Integer> indexes = ofKey.stream().filter(r -> r.submitter() == submitter)
            .map(Run::index).toList();
        assertThat(indexes).isSorted();
      }
    }
    assertThat(total).isEqualTo(SUBMITTERS * TASKS_PER_SUBMITTER);
  }
}
