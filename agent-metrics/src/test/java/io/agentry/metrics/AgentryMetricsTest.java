package io.agentry.metrics;

import static io.agentry.metrics.Workloads.awaitAll;
import static io.agentry.metrics.Workloads.awaitState;
import static io.agentry.metrics.Workloads.counter;
import static io.agentry.metrics.Workloads.functionCounter;
import static io.agentry.metrics.Workloads.gauge;
import static io.agentry.metrics.Workloads.retryUpTo;
import static io.agentry.metrics.Workloads.sum;
import static io.agentry.metrics.Workloads.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Backpressure;
import io.agentry.core.RejectedTaskException;
import io.agentry.core.Subscription;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskState;
import io.agentry.core.testing.ManualScheduler;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentryMetricsTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private AgentRuntime.Builder runtimeBuilder() {
    return AgentRuntime.builder().name("rt").scheduler(clock).shutdownGrace(Duration.ZERO);
  }

  private AgentRuntime start(AgentRuntime.Builder builder) {
    AgentRuntime runtime = builder.build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.builder(runtime).snapshotMaxAge(Duration.ZERO).build();
    toClose.add(metrics);
    metrics.bindTo(registry);
    return runtime;
  }

  @Test
  void countsHedgedAttempts() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    io.agentry.core.spi.ExecutionPolicy hedgeOnce = new io.agentry.core.spi.ExecutionPolicy() {
      @Override
      public java.util.Optional<Duration> hedgeAfter(Task<?> task, int attemptsRunning) {
        return attemptsRunning < 2 ? java.util.Optional.of(Duration.ofMillis(50))
            : java.util.Optional.empty();
      }

      @Override
      public io.agentry.core.spi.Decision afterAttempt(io.agentry.core.spi.AttemptReport report) {
        return io.agentry.core.spi.Decision.complete();
      }
    };
    AgentRuntime runtime = start(runtimeBuilder().policy(hedgeOnce)
        .agent(Agent.local("slow")).agent(Agent.local("fast")));
    TaskHandle<String> h = runtime.submit(Task.of("hedged", ctx -> {
      if (ctx.agent().equals("slow")) {
        release.await();
      }
      return ctx.agent();
    }));
    awaitState(h, TaskState.RUNNING);

    clock.advance(Duration.ofMillis(50));

    assertThat(h.join()).isEqualTo("fast");
    release.countDown();
    assertThat(counter(registry, MeterNames.HEDGES, "task", "hedged")).isEqualTo(1.0);
  }

  @Test
  void countsEveryTaskAttemptAndRetryExactly() throws Exception {
    AgentRuntime runtime = start(runtimeBuilder().policy(retryUpTo(2))
        .agent(Agent.local("a1")).agent(Agent.local("a2")));
    List<TaskHandle<?>> handles = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      handles.add(runtime.submit(Task.of("ok", ctx -> "done")));
    }
    for (int i = 0; i < 3; i++) {
      handles.add(runtime.submit(Task.of("bad", ctx -> {
        throw new IllegalStateException("always");
      })));
    }
    for (int i = 0; i < 2; i++) {
      handles.add(runtime.submit(Task.of("flaky", ctx -> {
        if (ctx.attempt() == 1) {
          throw new IllegalStateException("first");
        }
        return "second";
      })));
    }

    awaitAll(handles);

    assertThat(counter(registry, "agentry.tasks.submitted", "runtime", "rt", "task", "ok")).isEqualTo(5);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "bad")).isEqualTo(3);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "flaky")).isEqualTo(2);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "ok", "outcome", "succeeded", "cause", "none")).isEqualTo(5);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "bad", "outcome", "failed", "cause", "exception")).isEqualTo(3);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "flaky", "outcome", "succeeded", "cause", "none")).isEqualTo(2);
    assertThat(sum(registry, "agentry.tasks.completed")).isEqualTo(10);
    assertThat(counter(registry, "agentry.attempts", "task", "ok", "outcome", "succeeded")).isEqualTo(5);
    assertThat(counter(registry, "agentry.attempts", "task", "bad", "outcome", "failed")).isEqualTo(6);
    assertThat(counter(registry, "agentry.attempts", "task", "flaky", "outcome", "failed")).isEqualTo(2);
    assertThat(counter(registry, "agentry.attempts", "task", "flaky", "outcome", "succeeded"))
        .isEqualTo(2);
    assertThat(sum(registry, "agentry.attempts")).isEqualTo(15);
    assertThat(counter(registry, "agentry.retries", "task", "ok")).isZero();
    assertThat(counter(registry, "agentry.retries", "task", "bad")).isEqualTo(3);
    assertThat(counter(registry, "agentry.retries", "task", "flaky")).isEqualTo(2);
    // two idle agents with room: every retry goes to the agent that has not failed the task
    assertThat(counter(registry, "agentry.failovers", "task", "bad")).isEqualTo(3);
    assertThat(counter(registry, "agentry.failovers", "task", "flaky")).isEqualTo(2);
    assertThat(sum(registry, "agentry.hedges")).isZero();
    assertThat(sum(registry, "agentry.timeouts")).isZero();
    assertThat(sum(registry, "agentry.tasks.rejected")).isZero();
    assertThat(timerCount(registry, "agentry.tasks.duration", "task", "ok", "outcome", "succeeded"))
        .isEqualTo(5);
    assertThat(timerCount(registry, "agentry.tasks.duration", "task", "bad", "outcome", "failed"))
        .isEqualTo(3);
    assertThat(timerCount(registry, "agentry.tasks.queue.wait", "task", "ok")).isEqualTo(5);
    assertThat(timerCount(registry, "agentry.tasks.queue.wait", "task", "bad")).isEqualTo(6);
    assertThat(timerCount(registry, "agentry.tasks.queue.wait", "task", "flaky")).isEqualTo(4);
    assertThat(functionCounter(registry, "agentry.agent.attempts", "agent", "a1", "outcome", "succeeded")
        + functionCounter(registry, "agentry.agent.attempts", "agent", "a2", "outcome", "succeeded"))
        .isEqualTo(7);
    assertThat(functionCounter(registry, "agentry.agent.attempts", "agent", "a1", "outcome", "failed")
        + functionCounter(registry, "agentry.agent.attempts", "agent", "a2", "outcome", "failed"))
        .isEqualTo(8);
  }

  @Test
  void countsReadFromTheRuntimeCountFromTheBindingOn() {
    AgentRuntime runtime = runtimeBuilder().agent(Agent.local("a1")).build();
    toClose.add(runtime);
    runtime.submit(Task.of("early", ctx -> 1)).join();
    runtime.submit(Task.of("early", ctx -> 1)).join();
    AgentryMetrics metrics = AgentryMetrics.builder(runtime).snapshotMaxAge(Duration.ZERO).build();
    toClose.add(metrics);
    metrics.bindTo(registry);

    // the name seen before binding has its meters at once, at zero
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "early")).isZero();
    assertThat(timerCount(registry, "agentry.tasks.duration", "task", "early", "outcome", "succeeded"))
        .isZero();

    for (int i = 0; i < 3; i++) {
      runtime.submit(Task.of("early", ctx -> 1)).join();
    }

    assertThat(counter(registry, "agentry.tasks.submitted", "task", "early")).isEqualTo(3);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "early", "outcome", "succeeded", "cause", "none")).isEqualTo(3);
    assertThat(counter(registry, "agentry.attempts", "task", "early", "outcome", "succeeded"))
        .isEqualTo(3);
    assertThat(timerCount(registry, "agentry.tasks.duration", "task", "early", "outcome", "succeeded"))
        .isEqualTo(3);
    assertThat(timerCount(registry, "agentry.tasks.queue.wait", "task", "early")).isEqualTo(3);
    // the runtime itself counts from its start
    assertThat(runtime.taskCounts("early").orElseThrow().submitted()).isEqualTo(5);

    fiveMillisecondTask(runtime).join();
    io.micrometer.core.instrument.FunctionTimer slowDuration = registry.get("agentry.tasks.duration")
        .tags("task", "slow", "outcome", "succeeded").functionTimer();
    assertThat(slowDuration.count()).isEqualTo(1);
    assertThat(slowDuration.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(5.0);
  }

  /**
   * Submits a task named {@code slow} that runs for exactly 5 ms of the manual clock: it is let go
   * after the clock moved on; the caller waits for it to end.
   */
  private TaskHandle<String> fiveMillisecondTask(AgentRuntime runtime) {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    TaskHandle<String> slow = runtime.submit(Task.of("slow", ctx -> {
      release.await();
      return "late";
    }));
    awaitState(slow, TaskState.RUNNING);
    clock.advance(Duration.ofMillis(5));
    release.countDown();
    return slow;
  }

  @Test
  void withHistogramsTheTimersAreTimersFedByEveryTask() throws Exception {
    AgentRuntime runtime = runtimeBuilder().policy(retryUpTo(2)).agent(Agent.local("a1"))
        .agent(Agent.local("a2")).build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.builder(runtime).percentileHistograms(true)
        .snapshotMaxAge(Duration.ZERO).build();
    toClose.add(metrics);
    metrics.bindTo(registry);
    List<TaskHandle<?>> handles = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      handles.add(runtime.submit(Task.of("ok", ctx -> "done")));
    }
    handles.add(runtime.submit(Task.of("flaky", ctx -> {
      if (ctx.attempt() == 1) {
        throw new IllegalStateException("first");
      }
      return "second";
    })));
    handles.add(fiveMillisecondTask(runtime));
    awaitAll(handles);

    assertThat(timerCount(registry, "agentry.tasks.duration", "task", "ok", "outcome", "succeeded"))
        .isEqualTo(4);
    Timer slowDuration = registry.get("agentry.tasks.duration")
        .tags("task", "slow", "outcome", "succeeded").timer(); // a Timer: it has a max
    assertThat(slowDuration.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(5.0);
    assertThat(slowDuration.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(5.0);
    assertThat(registry.get("agentry.tasks.queue.wait").tags("task", "flaky").timer().count())
        .isEqualTo(2);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "ok")).isEqualTo(4);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "flaky", "outcome", "succeeded", "cause", "none")).isEqualTo(1);
    assertThat(counter(registry, "agentry.attempts", "task", "flaky", "outcome", "failed"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.failovers", "task", "flaky")).isEqualTo(1);
  }

  @Test
  void aRetryOnTheSameAgentIsNoFailover() throws Exception {
    AgentRuntime runtime = start(runtimeBuilder().policy(retryUpTo(3)).agent(Agent.local("a1")));

    runtime.submit(Task.of("bad", ctx -> {
      throw new IllegalStateException("always");
    })).await();

    assertThat(counter(registry, "agentry.retries", "task", "bad")).isEqualTo(2);
    assertThat(counter(registry, "agentry.failovers", "task", "bad")).isZero();
  }

  @Test
  void aRemovedAgentFailsOverAndCountsALostAttempt() throws Exception {
    Gate gate = new Gate();
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    TaskHandle<String> h = runtime.submit(Task.of("long", ctx -> {
      if (ctx.agent().equals("a1")) {
        gate.pass();
      }
      return ctx.agent();
    }));
    awaitState(h, TaskState.RUNNING);
    runtime.addAgent(Agent.local("a2"));

    runtime.removeAgent("a1");

    assertThat(h.join()).isEqualTo("a2");
    assertThat(counter(registry, "agentry.attempts", "task", "long", "outcome", "lost")).isEqualTo(1);
    assertThat(counter(registry, "agentry.attempts", "task", "long", "outcome", "succeeded"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.retries", "task", "long")).isEqualTo(1);
    assertThat(counter(registry, "agentry.failovers", "task", "long")).isEqualTo(1);
    gate.open();
  }

  @Test
  void countsRejectedSubmissionsAndTasksCancelledAtClose() {
    AgentRuntime runtime = start(runtimeBuilder().queueCapacity(1).backpressure(Backpressure.REJECT));
    runtime.submit(Task.of("t", ctx -> 1)); // no agent: it waits

    assertThatThrownBy(() -> runtime.submit(Task.of("t", ctx -> 2)))
        .isInstanceOf(RejectedTaskException.class);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "t")).isEqualTo(1);
    assertThat(counter(registry, "agentry.tasks.rejected", "task", "t")).isEqualTo(1);
    assertThat(gauge(registry, "agentry.tasks.queued", "runtime", "rt")).isEqualTo(1);

    runtime.close();

    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "t", "outcome", "cancelled", "cause", "cancelled")).isEqualTo(1);
    assertThat(gauge(registry, "agentry.tasks.queued")).isZero();
  }

  @Test
  void countsACancelledRunningTaskAndItsAttempt() {
    Gate gate = new Gate();
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    TaskHandle<Integer> h = runtime.submit(Task.of("long", ctx -> {
      gate.pass();
      return 1;
    }));
    awaitState(h, TaskState.RUNNING);

    h.cancel();

    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "long", "outcome", "cancelled", "cause", "cancelled")).isEqualTo(1);
    assertThat(counter(registry, "agentry.attempts", "task", "long", "outcome", "cancelled"))
        .isEqualTo(1);
  }

  @Test
  void anAttemptTimeoutCountsOnceAsAttemptTimeout() throws Exception {
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    TaskHandle<Integer> h = runtime.submit(Task.builder("slow", ctx -> {
      new Gate().pass();
      return 1;
    }).attemptTimeout(Duration.ofSeconds(1)).build());
    awaitState(h, TaskState.RUNNING);

    clock.advance(Duration.ofSeconds(1));

    assertThat(h.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(counter(registry, "agentry.timeouts", "task", "slow", "cause", "attempt_timeout"))
        .isEqualTo(1);
    assertThat(sum(registry, "agentry.timeouts")).isEqualTo(1);
    assertThat(counter(registry, "agentry.attempts", "task", "slow", "outcome", "timed_out"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "slow", "outcome", "timed_out", "cause", "attempt_timeout")).isEqualTo(1);
  }

  @Test
  void aDeadlinePassingWhileRunningCountsOnceAsDeadline() throws Exception {
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    TaskHandle<Integer> h = runtime.submit(Task.builder("late", ctx -> {
      new Gate().pass();
      return 1;
    }).deadline(Duration.ofSeconds(1)).build());
    awaitState(h, TaskState.RUNNING);

    clock.advance(Duration.ofSeconds(1));

    assertThat(h.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(counter(registry, "agentry.timeouts", "task", "late", "cause", "deadline")).isEqualTo(1);
    assertThat(sum(registry, "agentry.timeouts")).isEqualTo(1);
    assertThat(counter(registry, "agentry.attempts", "task", "late", "outcome", "timed_out"))
        .isEqualTo(1);
  }

  @Test
  void aMissedHeartbeatCountsAsHeartbeatTimeout() throws Exception {
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    TaskHandle<Integer> h = runtime.submit(Task.builder("silent", ctx -> {
      new Gate().pass();
      return 1;
    }).heartbeatTimeout(Duration.ofSeconds(1)).build());
    awaitState(h, TaskState.RUNNING);

    clock.advance(Duration.ofSeconds(1));

    assertThat(h.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(counter(registry, "agentry.timeouts", "task", "silent", "cause", "heartbeat_timeout"))
        .isEqualTo(1);
    assertThat(sum(registry, "agentry.timeouts")).isEqualTo(1);
  }

  @Test
  void queueTimeoutsCountAsQueueTimeoutOrNoEligibleAgent() throws Exception {
    Gate gate = new Gate();
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1").capacity(1)));
    TaskHandle<Integer> blocker = runtime.submit(Task.of("blocker", ctx -> {
      gate.pass();
      return 1;
    }));
    awaitState(blocker, TaskState.RUNNING);
    TaskHandle<Integer> waiting = runtime.submit(Task.builder("waiting", ctx -> 2)
        .queueTimeout(Duration.ofSeconds(1)).build());
    TaskHandle<Integer> nowhere = runtime.submit(Task.builder("nowhere", ctx -> 3)
        .requires("gpu").queueTimeout(Duration.ofSeconds(1)).build());

    clock.advance(Duration.ofSeconds(1));

    assertThat(waiting.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(nowhere.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(counter(registry, "agentry.timeouts", "task", "waiting", "cause", "queue_timeout"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.timeouts", "task", "nowhere", "cause", "no_eligible_agent"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.tasks.completed",
        "task", "nowhere", "outcome", "timed_out", "cause", "no_eligible_agent")).isEqualTo(1);
    assertThat(sum(registry, "agentry.attempts", "task", "waiting")).isZero();
    gate.open();
    blocker.join();
  }

  @Test
  void gaugesReadTheRuntimeSnapshot() throws Exception {
    Gate gate = new Gate();
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1").capacity(2)));
    List<TaskHandle<Integer>> handles = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      handles.add(runtime.submit(Task.of("t", ctx -> {
        gate.pass();
        return 1;
      })));
    }
    awaitState(handles.get(0), TaskState.RUNNING);
    awaitState(handles.get(1), TaskState.RUNNING);

    assertThat(gauge(registry, "agentry.tasks.queued", "runtime", "rt")).isEqualTo(1);
    assertThat(gauge(registry, "agentry.tasks.running", "runtime", "rt")).isEqualTo(2);
    assertThat(gauge(registry, "agentry.tasks.retry.waiting", "runtime", "rt")).isZero();
    assertThat(gauge(registry, "agentry.agent.inflight", "agent", "a1")).isEqualTo(2);
    assertThat(gauge(registry, "agentry.agent.capacity", "agent", "a1")).isEqualTo(2);
    assertThat(gauge(registry, "agentry.agent.utilization", "agent", "a1")).isEqualTo(1.0);
    assertThat(gauge(registry, "agentry.agent.state", "agent", "a1", "state", "up")).isEqualTo(1);
    assertThat(gauge(registry, "agentry.agent.state", "agent", "a1", "state", "down")).isZero();
    assertThat(gauge(registry, "agentry.agents", "state", "up")).isEqualTo(1);

    runtime.markAgentDown("a1");

    assertThat(gauge(registry, "agentry.agent.state", "agent", "a1", "state", "up")).isZero();
    assertThat(gauge(registry, "agentry.agent.state", "agent", "a1", "state", "down")).isEqualTo(1);
    assertThat(gauge(registry, "agentry.agents", "state", "down")).isEqualTo(1);
    runtime.markAgentUp("a1");
    gate.open();
    awaitAll(handles);
    assertThat(gauge(registry, "agentry.agent.inflight", "agent", "a1")).isZero();
    assertThat(gauge(registry, "agentry.agent.utilization", "agent", "a1")).isZero();
    assertThat(functionCounter(registry, "agentry.agent.attempts", "agent", "a1", "outcome", "succeeded"))
        .isEqualTo(3);
  }

  @Test
  void agentMetersFollowAgentsAddedAndRemoved() {
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    assertThat(agentMeters("a1")).hasSize(8);

    runtime.addAgent(Agent.local("a2").capacity(3));

    assertThat(agentMeters("a2")).hasSize(8);
    assertThat(gauge(registry, "agentry.agent.capacity", "agent", "a2")).isEqualTo(3);

    runtime.removeAgent("a1");

    assertThat(agentMeters("a1")).isEmpty();
    assertThat(agentMeters("a2")).hasSize(8);
    assertThat(registry.find("agentry.tasks.queued").gauge()).isNotNull();
    assertThat(gauge(registry, "agentry.agents", "state", "up")).isEqualTo(1);
  }

  @Test
  void taskNamesPastTheLimitShareTheOtherTag() {
    AgentRuntime runtime = runtimeBuilder().build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.builder(runtime).maxTaskNames(2).build();
    toClose.add(metrics);
    metrics.bindTo(registry);

    for (String name : List.of("n1", "n2", "n3", "n4", "n1")) {
      runtime.submit(Task.of(name, ctx -> 1)); // no agent: they wait
    }
    // a platform thread's submit is taken in (and its TaskSubmitted published) by a virtual thread
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> runtime.snapshot().queued() == 5 && sum(registry, "agentry.tasks.submitted") == 5);

    assertThat(counter(registry, "agentry.tasks.submitted", "task", "n1")).isEqualTo(2);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "n2")).isEqualTo(1);
    assertThat(counter(registry, "agentry.tasks.submitted", "task", "_other")).isEqualTo(2);
    assertThat(registry.find("agentry.tasks.submitted").tag("task", "n3").meter()).isNull();
  }

  @Test
  void closingRemovesEveryMeterAndStopsCounting() {
    AgentRuntime runtime = runtimeBuilder().agent(Agent.local("a1")).build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.of(runtime);
    metrics.bindTo(registry);
    runtime.submit(Task.of("t", ctx -> 1)).join();
    assertThat(registry.getMeters()).isNotEmpty();

    metrics.close();

    assertThat(registry.getMeters()).isEmpty();
    runtime.submit(Task.of("t", ctx -> 1)).join();
    assertThat(registry.getMeters()).isEmpty();
    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void bindingOneRegistryTwiceCountsOnce() {
    AgentRuntime runtime = runtimeBuilder().agent(Agent.local("a1")).build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.of(runtime);
    toClose.add(metrics);

    metrics.bindTo(registry);
    metrics.bindTo(registry);
    runtime.submit(Task.of("t", ctx -> 1)).join();

    assertThat(counter(registry, "agentry.tasks.submitted", "task", "t")).isEqualTo(1);
  }

  @Test
  void twoRegistriesEachCountEverything() {
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    AgentryMetrics second = AgentryMetrics.of(runtime);
    toClose.add(second);
    second.bindTo(other);

    runtime.submit(Task.of("t", ctx -> 1)).join();

    assertThat(counter(registry, "agentry.tasks.submitted", "task", "t")).isEqualTo(1);
    assertThat(counter(other, "agentry.tasks.submitted", "task", "t")).isEqualTo(1);
  }

  @Test
  void gaugesShareOneSnapshotWithinTheMaxAge() {
    MockClock micrometerClock = new MockClock();
    SimpleMeterRegistry mocked = new SimpleMeterRegistry(SimpleConfig.DEFAULT, micrometerClock);
    AgentRuntime runtime = runtimeBuilder().build();
    toClose.add(runtime);
    AgentryMetrics metrics = AgentryMetrics.builder(runtime)
        .snapshotMaxAge(Duration.ofSeconds(1)).build();
    toClose.add(metrics);
    metrics.bindTo(mocked);
    assertThat(gauge(mocked, "agentry.tasks.queued")).isZero();

    runtime.submit(Task.of("t", ctx -> 1)); // no agent: it waits

    assertThat(gauge(mocked, "agentry.tasks.queued")).isZero();
    micrometerClock.add(Duration.ofSeconds(1));
    assertThat(gauge(mocked, "agentry.tasks.queued")).isEqualTo(1);
  }

  @Test
  void everyMeterCarriesTheRuntimeName() {
    AgentRuntime runtime = start(runtimeBuilder().agent(Agent.local("a1")));
    runtime.submit(Task.of("t", ctx -> 1)).join();

    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("runtime")).isEqualTo("rt"));
  }

  @Test
  void customNamesReplaceTheDefaults() {
    AgentRuntime runtime = runtimeBuilder().agent(Agent.local("a1")).build();
    toClose.add(runtime);
    MeterNames names = MeterNames.ofDefaults().toBuilder().tasksSubmitted("jobs.submitted").build();
    AgentryMetrics metrics = AgentryMetrics.builder(runtime).names(names).build();
    toClose.add(metrics);
    metrics.bindTo(registry);

    runtime.submit(Task.of("t", ctx -> 1)).join();

    assertThat(counter(registry, "jobs.submitted", "task", "t")).isEqualTo(1);
    assertThat(registry.find("agentry.tasks.submitted").meter()).isNull();
  }

  @Test
  void builderRejectsBadValuesNamingTheSetting() {
    AgentRuntime runtime = runtimeBuilder().build();
    toClose.add(runtime);
    AgentryMetrics.Builder b = AgentryMetrics.builder(runtime);

    assertThatThrownBy(() -> b.maxTaskNames(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTaskNames");
    assertThatThrownBy(() -> b.snapshotMaxAge(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotMaxAge");
    assertThatThrownBy(() -> AgentryMetrics.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("runtime");
  }

  @Test
  void hostMetricsBindTheJvmAndSystemMeters() {
    SimpleMeterRegistry host = new SimpleMeterRegistry();

    Subscription binding = AgentryMetrics.bindHostMetrics(host);
    try {
      assertThat(host.find("jvm.memory.used").gauges()).isNotEmpty();
      assertThat(host.find("jvm.threads.live").gauge()).isNotNull();
      assertThat(host.find("jvm.classes.loaded").gauge()).isNotNull();
      assertThat(host.find("system.cpu.count").gauge()).isNotNull();
      assertThat(host.find("process.uptime").timeGauge()).isNotNull();
      assertThat(host.find("disk.free").gauge()).isNotNull();
      assertThat(host.find("jvm.gc.memory.allocated").counter()).isNotNull();
    } finally {
      binding.close();
    }
  }

  private List<Meter> agentMeters(String agentId) {
    return registry.getMeters().stream()
        .filter(m -> agentId.equals(m.getId().getTag("agent"))).toList();
  }
}
