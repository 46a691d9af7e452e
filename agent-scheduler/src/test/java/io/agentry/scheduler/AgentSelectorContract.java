package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of the {@link AgentSelector} contract: every selector's test extends it. It
 * checks what the runtime relies on: the selector returns a member of the eligible list, with room
 * unless the selector documents affinity ({@link #allowsFull}), is bound once, and learns from
 * {@code attemptEnded} on any thread without breaking.
 */
abstract class AgentSelectorContract {

  /** Makes a new, unbound selector. */
  abstract AgentSelector newSelector();

  /**
   * Tells whether returning {@code chosen}, which has no room, is the selector's documented affinity
   * case. The default: never.
   */
  boolean allowsFull(QueuedTask task, List<AgentView> eligible, AgentView chosen) {
    return false;
  }

  /** Binds a new selector to a manual clock, as the runtime does at build. */
  AgentSelector boundSelector() {
    AgentSelector selector = newSelector();
    selector.bind(new ManualScheduler());
    return selector;
  }

  static List<AgentView> agents(AgentView... agents) {
    return List.of(agents);
  }

  static boolean isMember(AgentView chosen, List<AgentView> eligible) {
    return eligible.stream().anyMatch(a -> a == chosen);
  }

  private void assertValidChoice(QueuedTask task, List<AgentView> eligible, AgentView chosen) {
    assertThat(isMember(chosen, eligible)).as("%s is one of %s", chosen, eligible).isTrue();
    if (!chosen.hasRoomFor(task)) {
      assertThat(allowsFull(task, eligible, chosen))
          .as("%s chose %s, which has no room, among %s", newSelector(), chosen, eligible).isTrue();
    }
  }

  @Test
  void returnsTheOnlyEligibleAgent() {
    AgentSelector selector = boundSelector();
    FakeAgent only = FakeAgent.of("only");
    FakeTask task = FakeTask.named("t");

    assertThat(selector.select(task, agents(only))).isSameAs(only);
  }

  @Test
  void returnsTheOnlyAgentWithRoom() {
    AgentSelector selector = boundSelector();
    FakeAgent free = FakeAgent.of("free", 4, 3);
    List<AgentView> eligible = agents(FakeAgent.of("a", 2, 2), FakeAgent.of("b", 1, 1), free,
        FakeAgent.of("c", 8, 8));

    for (int i = 0; i < 20; i++) {
      assertThat(selector.select(FakeTask.named("t" + i), eligible)).isSameAs(free);
    }
  }

  @Test
  void treatsAnAgentWithoutRoomForTheTaskAsFullEvenWithAFreeSlot() {
    AgentSelector selector = boundSelector();
    FakeAgent blocked = FakeAgent.of("blocked", 8, 0);
    blocked.noRoom = true;
    FakeAgent free = FakeAgent.of("free", 8, 7);

    for (int i = 0; i < 20; i++) {
      assertThat(selector.select(FakeTask.named("t" + i), agents(blocked, free))).isSameAs(free);
    }
  }

  @Test
  void choosesAmongAgentsThatJoinAndLeave() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("a");
    FakeAgent b = FakeAgent.of("b");
    FakeAgent c = FakeAgent.of("c");
    List<List<AgentView>> memberships = List.of(agents(a), agents(a, b), agents(a, b, c), agents(b, c),
        agents(c), agents(a, c), agents(c, b, a));

    for (List<AgentView> eligible : memberships) {
      for (int i = 0; i < 10; i++) {
        FakeTask task = i % 2 == 0 ? FakeTask.named("t") : FakeTask.withKey("t", "key-" + i);
        assertValidChoice(task, eligible, selector.select(task, eligible));
      }
    }
  }

  @Test
  void bindingTwiceThrows() {
    AgentSelector selector = newSelector();
    selector.bind(new ManualScheduler());

    assertThatThrownBy(() -> selector.bind(new ManualScheduler()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already bound");
  }

  @Test
  void learnsOfAttemptsOfUnknownAgentsHarmlessly() {
    AgentSelector selector = boundSelector();
    FakeAgent a = FakeAgent.of("a");

    assertThatCode(() -> {
      selector.attemptEnded("never-seen", 1_000, true);
      selector.attemptEnded("never-seen", 0, false);
    }).doesNotThrowAnyException();
    assertThat(selector.select(FakeTask.named("t"), agents(a))).isSameAs(a);
  }

  @Test
  void learnsOfAttemptsFromManyThreadsWhileSelecting() throws Exception {
    AgentSelector selector = boundSelector();
    List<AgentView> eligible = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      eligible.add(FakeAgent.of("a" + i, 4, i % 4));
    }
    List<AgentView> fixed = List.copyOf(eligible);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> reporters = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
      for (int t = 0; t < 4; t++) {
        int seed = t;
        reporters.add(threads.submit(() -> {
          start.await();
          SplittableRandom random = new SplittableRandom(seed);
          for (int i = 0; i < 20_000; i++) {
            selector.attemptEnded("a" + random.nextInt(8), random.nextLong(1, 10_000_000),
                random.nextInt(10) != 0);
          }
          return null;
        }));
      }
      start.countDown();
      for (int i = 0; i < 20_000; i++) {
        FakeTask task = FakeTask.named("t");
        assertValidChoice(task, fixed, selector.select(task, fixed));
      }
      for (Future<?> reporter : reporters) {
        reporter.get();
      }
    }
  }

  /**
   * Whatever the agents, their loads and the tasks, and as agents join, leave, take and finish work,
   * the selector returns a member of the eligible list, and one with room unless that is its
   * documented affinity case.
   */
  // A fixed seed keeps the build deterministic; change it locally to explore other samples.
  @Property(tries = 300, seed = "20261126")
  void alwaysChoosesAnEligibleAgentWithRoom(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 24) int agentCount,
      @ForAll @IntRange(min = 1, max = 80) int steps) {
    SplittableRandom random = new SplittableRandom(seed);
    AgentSelector selector = boundSelector();
    List<FakeAgent> pool = new ArrayList<>();
    int nextId = 0;
    for (int i = 0; i < agentCount; i++) {
      pool.add(randomAgent(random, "agent-" + nextId++));
    }
    for (int step = 0; step < steps; step++) {
      ensureRoom(pool, random);
      List<AgentView> eligible = eligibleSubset(pool, random);
      FakeTask task = random.nextBoolean()
          ? FakeTask.named("t")
          : FakeTask.withKey("t", "key-" + random.nextInt(50));
      AgentView chosen = selector.select(task, eligible);
      assertValidChoice(task, eligible, chosen);
      if (chosen.hasRoomFor(task)) {
        ((FakeAgent) chosen).take();
      }
      switch (random.nextInt(6)) {
        case 0 -> {
          FakeAgent done = pool.get(random.nextInt(pool.size()));
          if (done.inFlight > 0) {
            done.give();
            selector.attemptEnded(done.id(), random.nextLong(1, 50_000_000), random.nextBoolean());
          }
        }
        case 1 -> pool.add(randomAgent(random, "agent-" + nextId++));
        case 2 -> {
          if (pool.size() > 1) {
            pool.remove(random.nextInt(pool.size()));
          }
        }
        default -> { }
      }
    }
  }

  private static FakeAgent randomAgent(SplittableRandom random, String id) {
    int capacity = random.nextInt(1, 7);
    FakeAgent agent = FakeAgent.of(io.agentry.core.Agent.local(id).capacity(capacity)
        .weight(random.nextInt(1, 4)));
    agent.inFlight = random.nextInt(capacity + 1);
    agent.noRoom = random.nextInt(8) == 0;
    return agent;
  }

  /** The runtime calls the selector only when some eligible agent has room. */
  private static void ensureRoom(List<FakeAgent> pool, SplittableRandom random) {
    FakeAgent some = pool.get(random.nextInt(pool.size()));
    some.noRoom = false;
    if (some.inFlight >= some.agent().capacity()) {
      some.inFlight = some.agent().capacity() - 1;
    }
  }

  /** A random subset of the pool (as for a task with required tags) that keeps an agent with room. */
  private static List<AgentView> eligibleSubset(List<FakeAgent> pool, SplittableRandom random) {
    if (random.nextInt(3) != 0) {
      return List.copyOf(pool);
    }
    List<AgentView> some = new ArrayList<>();
    for (FakeAgent agent : pool) {
      if (random.nextBoolean() || (!agent.noRoom && agent.inFlight < agent.agent().capacity())
          && some.stream().noneMatch(a -> a.hasRoomFor(FakeTask.named("probe")))) {
        some.add(agent);
      }
    }
    return List.copyOf(some);
  }
}
