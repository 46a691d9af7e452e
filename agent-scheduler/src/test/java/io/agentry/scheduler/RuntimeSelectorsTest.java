package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import io.agentry.core.spi.AgentSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every selector through a real runtime with local agents. */
class RuntimeSelectorsTest {

  static Stream<Named<Supplier<AgentSelector>>> selectors() {
    return Stream.of(
        Named.of("roundRobin", Selectors::roundRobin),
        Named.of("weightedRoundRobin", Selectors::weightedRoundRobin),
        Named.of("random", () -> Selectors.random(new SplittableRandom(1))),
        Named.of("weightedRandom", () -> Selectors.weightedRandom(new SplittableRandom(2))),
        Named.of("leastConnections", Selectors::leastConnections),
        Named.of("powerOfTwoChoices", () -> Selectors.powerOfTwoChoices(new SplittableRandom(3))),
        Named.of("peakEwma", () -> Selectors.peakEwma(Duration.ofSeconds(1), new SplittableRandom(4))),
        Named.of("consistentHash", Selectors::consistentHash),
        Named.of("consistentHashBounded", () -> Selectors.consistentHash(
            ConsistentHashConfig.builder().boundedLoad(0.25).build())),
        Named.of("preferringTags", () -> Selectors.preferringTags(Set.of("fast"),
            Selectors.leastConnections())));
  }

  @ParameterizedTest
  @MethodSource("selectors")
  void runsEveryTaskOnARegisteredAgent(Supplier<AgentSelector> selector) {
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(4).weight(2).tags("fast"))
        .agent(Agent.local("a2").capacity(4))
        .agent(Agent.local("a3").capacity(2).weight(3))
        .selector(selector.get())
        .build()) {
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        Task.Builder<String> b = Task.builder("t", ctx -> ctx.agent());
        if (i % 2 == 0) {
          b.key("key-" + (i % 37));
        }
        if (i % 5 == 0) {
          b.requires("fast");
        }
        handles.add(runtime.submit(b.build()));
      }

      for (int i = 0; i < handles.size(); i++) {
        String agent = handles.get(i).join();
        assertThat(agent).isIn("a1", "a2", "a3");
        if (i % 5 == 0) {
          assertThat(agent).isEqualTo("a1");
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("selectors")
  void keepsPlacingAsAgentsJoinAndLeave(Supplier<AgentSelector> selector) {
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(2).tags("fast"))
        .selector(selector.get())
        .build()) {
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        runtime.addAgent(Agent.local("b" + round).capacity(2));
        for (int i = 0; i < 40; i++) {
          handles.add(runtime.submit(Task.builder("t", ctx -> ctx.agent()).key("k" + i).build()));
        }
        if (round > 0) {
          runtime.drainAgent("b" + (round - 1)).join();
          runtime.removeAgent("b" + (round - 1));
        }
      }

      handles.forEach(h -> assertThat(h.join()).isNotBlank());
    }
  }

  @Test
  void consistentHashingRunsEachKeyOnOneAgent() {
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1")).agent(Agent.local("a2")).agent(Agent.local("a3"))
        .agent(Agent.local("a4"))
        .selector(Selectors.consistentHash())
        .build()) {
      Map<String, List<TaskHandle<String>>> byKey = new HashMap<>();
      for (int i = 0; i < 400; i++) {
        String key = "user-" + (i % 40);
        byKey.computeIfAbsent(key, k -> new ArrayList<>())
            .add(runtime.submit(Task.builder("t", ctx -> ctx.agent()).key(key).build()));
      }

      Set<String> used = new HashSet<>();
      byKey.forEach((key, handles) -> {
        Set<String> agents = new HashSet<>();
        handles.forEach(h -> agents.add(h.join()));
        assertThat(agents).as("agents of %s", key).hasSize(1);
        used.addAll(agents);
      });
      assertThat(used).hasSizeGreaterThan(1);
    }
  }

  @Test
  void consistentHashingMakesATaskWaitForItsKeysBusyAgent() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(1)).agent(Agent.local("a2").capacity(1))
        .agent(Agent.local("a3").capacity(1))
        .selector(Selectors.consistentHash())
        .affinityWait(Duration.ofMinutes(5))
        .build()) {
      TaskHandle<String> holder = runtime.submit(Task.builder("holder", ctx -> {
        release.await(30, TimeUnit.SECONDS);
        return ctx.agent();
      }).key("k").build());
      await().atMost(Duration.ofSeconds(10)).until(() -> holder.state() == TaskState.RUNNING);

      TaskHandle<String> follower = runtime.submit(Task.builder("follower", ctx -> ctx.agent())
          .key("k").build());
      TaskHandle<String> other = runtime.submit(Task.of("other", ctx -> ctx.agent()));
      other.join();

      assertThat(follower.state()).isEqualTo(TaskState.QUEUED);
      release.countDown();
      assertThat(follower.join()).isEqualTo(holder.join());
    }
  }

  @Test
  void leastConnectionsKeepsLongTasksApart() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (AgentRuntime runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(4)).agent(Agent.local("a2").capacity(4))
        .selector(Selectors.leastConnections())
        .build()) {
      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        handles.add(runtime.submit(Task.of("long", ctx -> {
          release.await(30, TimeUnit.SECONDS);
          return ctx.agent();
        })));
      }
      await().atMost(Duration.ofSeconds(10))
          .until(() -> handles.stream().allMatch(h -> h.state() == TaskState.RUNNING));

      assertThat(runtime.snapshot().agent("a1").orElseThrow().inFlight()).isEqualTo(2);
      assertThat(runtime.snapshot().agent("a2").orElseThrow().inFlight()).isEqualTo(2);
      release.countDown();
      handles.forEach(TaskHandle::join);
    }
  }
}
