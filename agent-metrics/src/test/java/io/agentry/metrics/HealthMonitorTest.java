package io.agentry.metrics;

import static io.agentry.metrics.Workloads.awaitAll;
import static io.agentry.metrics.Workloads.awaitState;
import static io.agentry.metrics.Workloads.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.AgentState;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskState;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.testing.ManualScheduler;
import io.agentry.metrics.event.AgentHealthy;
import io.agentry.metrics.event.AgentUnhealthy;
import io.agentry.metrics.event.HealthEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  private final ManualScheduler clock = new ManualScheduler();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<HealthEvent> events = new CopyOnWriteArrayList<>();
  private final AtomicBoolean a1Healthy = new AtomicBoolean(true);
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** Fails a1 while {@link #a1Healthy} is false; passes every other agent. */
  private final HealthCheck switchable = ctx -> ctx.agent().id().equals("a1") && !a1Healthy.get()
      ? HealthCheck.Result.unhealthy("a1 is sick")
      : HealthCheck.Result.healthy();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private AgentRuntime runtime(Agent... agents) {
    AgentRuntime.Builder b = AgentRuntime.builder().name("rt").scheduler(clock)
        .shutdownGrace(Duration.ZERO);
    for (Agent a : agents) {
      b.agent(a);
    }
    AgentRuntime runtime = b.build();
    toClose.add(runtime);
    return runtime;
  }

  private HealthMonitor.Builder monitorBuilder(AgentRuntime runtime) {
    return HealthMonitor.builder(runtime).scheduler(clock).interval(INTERVAL)
        .failureThreshold(3).successThreshold(2).listener(events::add);
  }

  private HealthMonitor monitor(HealthMonitor.Builder builder) {
    HealthMonitor monitor = builder.build();
    toClose.add(monitor);
    monitor.bindTo(registry);
    return monitor;
  }

  private void rounds(int n) {
    for (int i = 0; i < n; i++) {
      clock.advance(INTERVAL);
    }
  }

  private static AgentState state(AgentRuntime runtime, String agentId) {
    return runtime.snapshot().agent(agentId).orElseThrow().state();
  }

  @Test
  void marksAnAgentDownAfterNFailedChecksInARow() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).check(switchable));
    a1Healthy.set(false);

    rounds(2);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.UP);
    assertThat(monitor.health().agent("a1")).get().satisfies(a -> {
      assertThat(a.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(a.consecutiveFailures()).isEqualTo(2);
    });
    assertThat(events).isEmpty();

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);
    assertThat(state(runtime, "a2")).isEqualTo(AgentState.UP);
    assertThat(events).singleElement().isInstanceOfSatisfying(AgentUnhealthy.class, e -> {
      assertThat(e.agentId()).isEqualTo("a1");
      assertThat(e.runtime()).isEqualTo("rt");
      assertThat(e.consecutiveFailures()).isEqualTo(3);
      assertThat(e.message()).isEqualTo("a1 is sick");
      assertThat(e.markedDown()).isTrue();
      assertThat(e.at()).isEqualTo(clock.now());
    });
    assertThat(counter(registry, "agentry.health.checks", "agent", "a1", "result", "unhealthy"))
        .isEqualTo(3);
    assertThat(counter(registry, "agentry.health.checks", "agent", "a2", "result", "healthy"))
        .isEqualTo(3);
    assertThat(counter(registry, "agentry.health.transitions", "agent", "a1", "status", "unhealthy"))
        .isEqualTo(1);
    assertThat(counter(registry, "agentry.health.transitions", "agent", "a1", "status", "healthy"))
        .isZero();
  }

  @Test
  void marksItUpAgainAfterMGoodChecksInARow() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    monitor(monitorBuilder(runtime).check(switchable));
    a1Healthy.set(false);
    rounds(3);
    a1Healthy.set(true);

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.UP);
    assertThat(events).hasSize(2).last().isInstanceOfSatisfying(AgentHealthy.class, e -> {
      assertThat(e.agentId()).isEqualTo("a1");
      assertThat(e.consecutiveSuccesses()).isEqualTo(2);
      assertThat(e.markedUp()).isTrue();
    });
    assertThat(counter(registry, "agentry.health.transitions", "agent", "a1", "status", "healthy"))
        .isEqualTo(1);
  }

  @Test
  void tasksStopGoingToADownAgentAndResumeAfterItIsUp() throws Exception {
    AgentRuntime runtime = runtime(Agent.local("a1").tags("one"), Agent.local("a2"));
    monitor(monitorBuilder(runtime).check(switchable));
    a1Healthy.set(false);
    rounds(3);

    List<TaskHandle<String>> handles = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      handles.add(runtime.submit(Task.of("where", ctx -> ctx.agent())));
    }
    TaskHandle<String> needsA1 = runtime.submit(Task.builder("needs-a1", ctx -> ctx.agent())
        .requires("one").build());

    assertThat(awaitAll(handles)).allSatisfy(o -> assertThat(o.agents()).containsExactly("a2"));
    assertThat(needsA1.state()).isEqualTo(TaskState.QUEUED);

    a1Healthy.set(true);
    rounds(2);

    assertThat(needsA1.join()).isEqualTo("a1");
    List<TaskHandle<String>> after = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      after.add(runtime.submit(Task.of("where", ctx -> ctx.agent())));
    }
    assertThat(awaitAll(after)).anySatisfy(o -> assertThat(o.agents()).containsExactly("a1"));
  }

  @Test
  void theReportShowsEveryWatchedAgent() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).check(switchable));
    assertThat(monitor.health().agents()).extracting(HealthReport.AgentHealth::status)
        .containsExactly(HealthStatus.UNKNOWN, HealthStatus.UNKNOWN);
    assertThat(monitor.health().isReady()).isTrue();
    a1Healthy.set(false);

    rounds(3);

    HealthReport report = monitor.health();
    assertThat(report.runtime()).isEqualTo("rt");
    assertThat(report.at()).isEqualTo(clock.now());
    assertThat(report.agent("a1")).get().satisfies(a -> {
      assertThat(a.state()).isEqualTo(AgentState.DOWN);
      assertThat(a.status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(a.consecutiveFailures()).isEqualTo(3);
      assertThat(a.consecutiveSuccesses()).isZero();
      assertThat(a.lastCheckedAt()).isEqualTo(clock.now());
      assertThat(a.lastCheck()).get().extracting(HealthCheck.Result::message).isEqualTo("a1 is sick");
    });
    assertThat(report.agent("a2")).get().satisfies(a -> {
      assertThat(a.state()).isEqualTo(AgentState.UP);
      assertThat(a.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(a.consecutiveSuccesses()).isEqualTo(3);
    });
    assertThat(report.isReady()).isTrue();
  }

  @Test
  void isNotReadyWhenNoWatchedAgentIsUpAndHealthy() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).check(switchable));
    a1Healthy.set(false);

    rounds(3);

    assertThat(monitor.health().isReady()).isFalse();
  }

  @Test
  void neverMarksUpAnAgentSomeoneElseTookDown() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    monitor(monitorBuilder(runtime).check(switchable));
    runtime.markAgentDown("a1");
    a1Healthy.set(false);
    rounds(3);
    a1Healthy.set(true);

    rounds(2);

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOfSatisfying(AgentUnhealthy.class,
        e -> assertThat(e.markedDown()).isFalse());
    assertThat(events.get(1)).isInstanceOfSatisfying(AgentHealthy.class,
        e -> assertThat(e.markedUp()).isFalse());
    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);
  }

  @Test
  void leavesADrainingAgentDraining() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    monitor(monitorBuilder(runtime).check(switchable));
    runtime.drainAgent("a1");
    a1Healthy.set(false);

    rounds(3);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DRAINING);
    assertThat(events).singleElement().isInstanceOfSatisfying(AgentUnhealthy.class,
        e -> assertThat(e.markedDown()).isFalse());
  }

  @Test
  void anAttemptRunningTooLongMakesItsAgentUnhealthy() throws Exception {
    Gate gate = new Gate();
    AgentRuntime runtime = runtime(Agent.local("a1"));
    monitor(monitorBuilder(runtime).failureThreshold(1).successThreshold(1)
        .check(HealthCheck.noAttemptRunningLongerThan(Duration.ofSeconds(5))));
    CountDownLatch started = new CountDownLatch(1);
    runtime.subscribe(e -> {
      if (e instanceof AttemptStarted) {
        started.countDown(); // subscribed after the monitor: it has seen the event too
      }
    });
    TaskHandle<Integer> h = runtime.submit(Task.of("stuck", ctx -> {
      gate.pass();
      return 1;
    }));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    rounds(5);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.UP);

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);
    assertThat(events).singleElement().isInstanceOfSatisfying(AgentUnhealthy.class,
        e -> assertThat(e.message()).contains("PT6S").contains("PT5S"));
    gate.open();
    h.join();

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.UP);
  }

  @Test
  void byDefaultAMissedHeartbeatMakesItsAgentUnhealthy() throws Exception {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    monitor(monitorBuilder(runtime).failureThreshold(1));
    TaskHandle<Integer> h = runtime.submit(Task.builder("silent", ctx -> {
      new Gate().pass();
      return 1;
    }).heartbeatTimeout(Duration.ofMillis(1500)).build());
    awaitState(h, TaskState.RUNNING);
    String agent = runtime.snapshot().agents().stream().filter(a -> a.inFlight() == 1)
        .findFirst().orElseThrow().id();

    rounds(1);

    assertThat(state(runtime, agent)).isEqualTo(AgentState.UP);

    rounds(1); // the heartbeat timeout passes at 1.5 s, and the check at 2 s sees it

    assertThat(h.await()).isInstanceOf(TaskOutcome.TimedOut.class);
    assertThat(state(runtime, agent)).isEqualTo(AgentState.DOWN);
    assertThat(events).singleElement().isInstanceOfSatisfying(AgentUnhealthy.class, e -> {
      assertThat(e.agentId()).isEqualTo(agent);
      assertThat(e.message()).contains("heartbeat");
    });
  }

  @Test
  void aThrowingCheckCountsAsFailed() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).failureThreshold(1).check(ctx -> {
      throw new java.io.IOException("unreachable");
    }));

    rounds(1);

    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);
    assertThat(monitor.health().agent("a1").orElseThrow().lastCheck().orElseThrow().message())
        .contains("IOException").contains("unreachable");
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthers() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    monitor(HealthMonitor.builder(runtime).scheduler(clock).interval(INTERVAL).failureThreshold(1)
        .check(switchable)
        .listener(e -> {
          throw new IllegalStateException("bad listener");
        })
        .listener(events::add));
    a1Healthy.set(false);

    rounds(1);

    assertThat(events).hasSize(1);
    assertThat(state(runtime, "a1")).isEqualTo(AgentState.DOWN);
  }

  @Test
  void onlyLocalAgentsAreWatchedByDefault() {
    AgentRuntime runtime = runtime(Agent.local("a1"),
        Agent.of("remote", attempt -> { }));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).check(switchable));

    rounds(1);

    assertThat(monitor.health().agents()).extracting(HealthReport.AgentHealth::agentId)
        .containsExactly("a1");
    assertThat(registry.find("agentry.health.checks").tag("agent", "remote").counter()).isNull();
  }

  @Test
  void aRemovedAgentIsForgottenWithItsMeters() {
    AgentRuntime runtime = runtime(Agent.local("a1"), Agent.local("a2"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).check(switchable));
    rounds(1);
    assertThat(registry.find("agentry.health.checks").tag("agent", "a2").counters()).hasSize(2);

    runtime.removeAgent("a2");

    assertThat(monitor.health().agent("a2")).isEmpty();
    assertThat(registry.find("agentry.health.checks").tag("agent", "a2").counters()).isEmpty();
    assertThat(registry.find("agentry.health.transitions").tag("agent", "a2").counters()).isEmpty();
    rounds(1);
    assertThat(registry.find("agentry.health.checks").tag("agent", "a2").counters()).isEmpty();
    assertThat(counter(registry, "agentry.health.checks", "agent", "a1", "result", "healthy"))
        .isEqualTo(2);
  }

  @Test
  void closingStopsTheRoundsAndRemovesTheMeters() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    HealthMonitor monitor = monitor(monitorBuilder(runtime).failureThreshold(1).check(switchable));
    rounds(1);
    int pendingBefore = clock.pending();

    monitor.close();

    assertThat(clock.pending()).isEqualTo(pendingBefore - 1);
    assertThat(registry.find("agentry.health.checks").counters()).isEmpty();
    a1Healthy.set(false);
    rounds(3);
    assertThat(state(runtime, "a1")).isEqualTo(AgentState.UP);
    assertThat(events).isEmpty();
    assertThatThrownBy(() -> monitor.bindTo(registry)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void roundsStopWhenTheRuntimeCloses() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    monitor(monitorBuilder(runtime).check(switchable));
    runtime.close();

    rounds(1);

    assertThat(clock.pending()).isZero();
  }

  @Test
  void runsOnItsOwnSchedulerWhenGivenNone() {
    AgentRuntime runtime = runtime(Agent.local("a1"));
    try (HealthMonitor monitor = HealthMonitor.builder(runtime).build()) {
      assertThat(monitor.health().agents()).hasSize(1);
      assertThat(clock.pending()).isZero();
    }
  }

  @Test
  void builderRejectsBadValuesNamingTheSetting() {
    AgentRuntime runtime = runtime();
    HealthMonitor.Builder b = HealthMonitor.builder(runtime);

    assertThatThrownBy(() -> b.interval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval");
    assertThatThrownBy(() -> b.failureThreshold(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failureThreshold");
    assertThatThrownBy(() -> b.successThreshold(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("successThreshold");
    assertThatThrownBy(() -> HealthCheck.noAttemptRunningLongerThan(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    runtime.close();
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
