package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.event.AgentAdded;
import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskSubmitted;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.RuntimeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The counts a runtime keeps per task name, and listeners that do without routine events. */
class TaskCountsTest {

  /** A listener that declines routine events and records what it gets. */
  static final class NoRoutine implements RuntimeListener {
    final List<RuntimeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(RuntimeEvent event) {
      events.add(event);
    }

    @Override
    public boolean routineEvents() {
      return false;
    }
  }

  /** A mixed workload: successes, failures, a retry that succeeds, a cancel, a queue timeout. */
  private static List<TaskHandle<?>> mixedWorkload(AgentRuntime runtime) throws Exception {
    List<TaskHandle<?>> handles = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      handles.add(runtime.submit(Task.of("ok", ctx -> 1)));
    }
    for (int i = 0; i < 3; i++) {
      handles.add(runtime.submit(Task.of("bad", ctx -> {
        throw new IllegalStateException("boom");
      })));
    }
    handles.add(runtime.submit(Task.builder("flaky", ctx -> {
      if (ctx.attempt() == 1) {
        throw new IllegalStateException("first");
      }
      return 2;
    }).policy(r -> r.succeeded() || r.attempt() > 1
        ? Decision.complete() : Decision.retry(Duration.ZERO)).build()));
    CountDownLatch started = new CountDownLatch(1);
    TaskHandle<Integer> blocked = runtime.submit(Task.of("ok", ctx -> {
      started.countDown();
      new CountDownLatch(1).await(); // until cancelled
      return 3;
    }));
    handles.add(blocked);
    handles.add(runtime.submit(Task.builder("nowhere", ctx -> 4).requires("gpu")
        .queueTimeout(Duration.ofMillis(1)).build()));
    started.await();
    blocked.cancel();
    for (TaskHandle<?> h : handles) {
      h.await();
    }
    return handles;
  }

  @Test
  void countsAgreeWithEveryEventAListenerSaw() throws Exception {
    List<RuntimeEvent> events = new CopyOnWriteArrayList<>();
    try (var runtime = AgentRuntime.builder().listener(events::add)
        .agent(Agent.local("a1").capacity(4)).agent(Agent.local("a2").capacity(4)).build()) {
      mixedWorkload(runtime);
      Map<String, TaskCounts> counts = runtime.taskCounts();

      assertThat(counts).containsOnlyKeys("ok", "bad", "flaky", "nowhere");
      for (TaskCounts c : counts.values()) {
        String name = c.taskName();
        List<RuntimeEvent> own = events.stream().filter(e -> name.equals(taskName(e))).toList();
        assertThat(c.submitted()).as(name).isEqualTo(count(own, TaskSubmitted.class));
        List<AttemptStarted> starts = of(own, AttemptStarted.class);
        assertThat(c.attemptsStarted()).as(name).isEqualTo(starts.size());
        assertThat(c.totalQueueWait()).as(name).isEqualTo(
            starts.stream().map(AttemptStarted::queueWait).reduce(Duration.ZERO, Duration::plus));
        for (AttemptEnded.Status s : AttemptEnded.Status.values()) {
          assertThat(c.attemptsEnded(s)).as(name + " " + s)
              .isEqualTo(of(own, AttemptEnded.class).stream().filter(e -> e.status() == s).count());
        }
        for (TaskState s : List.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED,
            TaskState.TIMED_OUT)) {
          List<TaskCompleted> ended =
              of(own, TaskCompleted.class).stream().filter(e -> e.state() == s).toList();
          assertThat(c.ended(s)).as(name + " " + s).isEqualTo(ended.size());
          assertThat(c.totalDuration(s)).as(name + " " + s).isEqualTo(
              ended.stream().map(TaskCompleted::duration).reduce(Duration.ZERO, Duration::plus));
        }
      }
      TaskCounts ok = counts.get("ok");
      assertThat(ok.submitted()).isEqualTo(21);
      assertThat(ok.ended(TaskState.SUCCEEDED)).isEqualTo(20);
      assertThat(ok.ended(TaskState.CANCELLED)).isEqualTo(1);
      assertThat(ok.completed()).isEqualTo(21);
      assertThat(counts.get("bad").ended(TaskState.FAILED)).isEqualTo(3);
      assertThat(counts.get("flaky").attemptsStarted()).isEqualTo(2);
      assertThat(counts.get("flaky").attemptsEnded(AttemptEnded.Status.FAILED)).isEqualTo(1);
      assertThat(counts.get("nowhere").ended(TaskState.TIMED_OUT)).isEqualTo(1);
      assertThat(counts.get("nowhere").attemptsStarted()).isZero();
      assertThat(runtime.taskCounts("flaky")).get().extracting(TaskCounts::completed).isEqualTo(1L);
      assertThat(runtime.taskCounts("never")).isEmpty();
    }
  }

  @Test
  void aListenerWithoutRoutineEventsGetsEverythingElse() throws Exception {
    List<RuntimeEvent> all = new CopyOnWriteArrayList<>();
    NoRoutine rest = new NoRoutine();
    try (var runtime = AgentRuntime.builder().listener(all::add).listener(rest)
        .agent(Agent.local("a1").capacity(4)).build()) {
      mixedWorkload(runtime);
    }
    List<RuntimeEvent> expected = new ArrayList<>();
    java.util.Set<String> announced = new java.util.HashSet<>();
    for (RuntimeEvent e : all) {
      boolean routine = switch (e) {
        case TaskSubmitted s -> !announced.add(s.taskName()); // the first of a name is not routine
        case AttemptStarted s -> s.attempt() == 1;
        case AttemptEnded s -> s.status() == AttemptEnded.Status.SUCCEEDED;
        case TaskCompleted s -> s.state() == TaskState.SUCCEEDED;
        default -> false;
      };
      if (!routine) {
        expected.add(e);
      }
    }
    assertThat(rest.events).containsExactlyElementsOf(expected);
    assertThat(rest.events).filteredOn(TaskSubmitted.class::isInstance)
        .extracting(e -> ((TaskSubmitted) e).taskName())
        .containsExactly("ok", "bad", "flaky", "nowhere");
    assertThat(rest.events).anyMatch(e -> e instanceof TaskCompleted c && c.state() == TaskState.FAILED)
        .noneMatch(e -> e instanceof TaskCompleted c && c.state() == TaskState.SUCCEEDED);
  }

  @Test
  void withNoListenerWantingThemTasksThatGoWellMakeNoEventsButAreCounted() {
    NoRoutine listener = new NoRoutine();
    try (var runtime = AgentRuntime.builder().listener(listener).agent(Agent.local("a1")).build()) {
      List<TaskHandle<Integer>> handles = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        handles.add(runtime.submit(Task.of("ok", ctx -> 1)));
      }
      handles.forEach(TaskHandle::join);
      // the first submit's event is out before the first handle completes (D13)
      assertThat(listener.events).filteredOn(e -> !(e instanceof AgentAdded))
          .singleElement().isInstanceOfSatisfying(TaskSubmitted.class,
              s -> assertThat(s.taskName()).isEqualTo("ok"));
      TaskCounts ok = runtime.taskCounts("ok").orElseThrow();
      assertThat(ok.submitted()).isEqualTo(100);
      assertThat(ok.attemptsStarted()).isEqualTo(100);
      assertThat(ok.attemptsEnded(AttemptEnded.Status.SUCCEEDED)).isEqualTo(100);
      assertThat(ok.ended(TaskState.SUCCEEDED)).isEqualTo(100);
    }
  }

  @Test
  void joiningATaskSeesTheFirstSubmitOfItsNamePublished() {
    for (int i = 0; i < 200; i++) {
      NoRoutine listener = new NoRoutine();
      try (var runtime = AgentRuntime.builder().listener(listener).agent(Agent.local("a1")).build()) {
        runtime.submit(Task.of("t" + i, ctx -> 1)).join();
        assertThat(listener.events).anyMatch(e -> e instanceof TaskSubmitted);
      }
    }
  }

  @Test
  void namesPastTheBoundAreCountedAsOne() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1").capacity(64)).build()) {
      List<TaskHandle<Integer>> handles = new ArrayList<>();
      for (int i = 0; i < TaskCounts.MAX_NAMES + 5; i++) {
        handles.add(runtime.submit(Task.of("n" + i, ctx -> 1)));
      }
      handles.forEach(TaskHandle::join);
      Map<String, TaskCounts> counts = runtime.taskCounts();
      assertThat(counts).hasSize(TaskCounts.MAX_NAMES + 1).containsKey(TaskCounts.OTHER_NAMES);
      assertThat(counts.get(TaskCounts.OTHER_NAMES).submitted()).isEqualTo(5);
      assertThat(counts.values().stream().mapToLong(TaskCounts::completed).sum())
          .isEqualTo(TaskCounts.MAX_NAMES + 5);
      assertThat(runtime.taskCounts("n" + (TaskCounts.MAX_NAMES + 4))).isEmpty();
    }
  }

  @Test
  void badInputIsNamed() {
    try (var runtime = AgentRuntime.builder().agent(Agent.local("a1")).build()) {
      runtime.submit(Task.of("t", ctx -> 1)).join();
      TaskCounts t = runtime.taskCounts("t").orElseThrow();
      assertThatThrownBy(() -> t.ended(TaskState.QUEUED))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("QUEUED");
      assertThatThrownBy(() -> t.totalDuration(TaskState.RUNNING))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RUNNING");
      assertThatThrownBy(() -> runtime.taskCounts(null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("taskName");
      assertThatThrownBy(() -> runtime.taskCounts().put("x", t))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  /** Many threads, random failures and cancels: every task counted once, the counts add up. */
  @Test
  void countsAddUpUnderConcurrency() throws Exception {
    NoRoutine listener = new NoRoutine();
    int threads = 8;
    int perThread = 5_000;
    try (var runtime = AgentRuntime.builder().listener(listener).queueCapacity(threads * perThread)
        .agent(Agent.local("a1").capacity(16)).agent(Agent.local("a2").capacity(3)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<TaskHandle<Integer>>>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        work.add(pool.submit(() -> {
          Random random = new Random(seed);
          List<TaskHandle<Integer>> mine = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            boolean fail = random.nextInt(10) == 0;
            TaskHandle<Integer> h = runtime.submit(Task.of(random.nextBoolean() ? "a" : "b", ctx -> {
              if (fail) {
                throw new IllegalStateException("random");
              }
              return 1;
            }));
            if (random.nextInt(20) == 0) {
              h.cancel();
            }
            mine.add(h);
          }
          return mine;
        }));
      }
      long succeeded = 0;
      long failed = 0;
      long cancelled = 0;
      for (Future<List<TaskHandle<Integer>>> f : work) {
        for (TaskHandle<Integer> h : f.get()) {
          switch (h.await()) {
            case TaskOutcome.Succeeded<Integer> s -> succeeded++;
            case TaskOutcome.Failed<Integer> s -> failed++;
            case TaskOutcome.Cancelled<Integer> s -> cancelled++;
            case TaskOutcome.TimedOut<Integer> s -> throw new AssertionError("no timeout set");
          }
        }
      }
      pool.shutdown();
      Map<String, TaskCounts> counts = runtime.taskCounts();
      long submitted = 0;
      long attemptsStarted = 0;
      long attemptsEnded = 0;
      for (TaskCounts c : counts.values()) {
        submitted += c.submitted();
        attemptsStarted += c.attemptsStarted();
        for (AttemptEnded.Status s : AttemptEnded.Status.values()) {
          attemptsEnded += c.attemptsEnded(s);
        }
        assertThat(c.completed()).isEqualTo(c.submitted());
      }
      assertThat(submitted).isEqualTo((long) threads * perThread);
      assertThat(attemptsEnded).isEqualTo(attemptsStarted);
      assertThat(sum(counts, TaskState.SUCCEEDED)).isEqualTo(succeeded);
      assertThat(sum(counts, TaskState.FAILED)).isEqualTo(failed);
      assertThat(sum(counts, TaskState.CANCELLED)).isEqualTo(cancelled);
      RuntimeSnapshot snapshot = runtime.snapshot();
      assertThat(snapshot.succeeded()).isEqualTo(succeeded);
      // every task that did not succeed reached the listener; no success did but the two first
      assertThat(listener.events).filteredOn(TaskCompleted.class::isInstance)
          .hasSize((int) (failed + cancelled));
      assertThat(listener.events).filteredOn(TaskSubmitted.class::isInstance).hasSize(2);
    }
  }

  private static long sum(Map<String, TaskCounts> counts, TaskState state) {
    return counts.values().stream().mapToLong(c -> c.ended(state)).sum();
  }

  private static String taskName(RuntimeEvent e) {
    return switch (e) {
      case TaskSubmitted s -> s.taskName();
      case AttemptStarted s -> s.taskName();
      case AttemptEnded s -> s.taskName();
      case TaskCompleted s -> s.taskName();
      case io.agentry.core.event.TaskRetryScheduled s -> s.taskName();
      default -> "";
    };
  }

  private static <E> List<E> of(List<RuntimeEvent> events, Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static long count(List<RuntimeEvent> events, Class<?> type) {
    return events.stream().filter(type::isInstance).count();
  }
}
