package io.agentry.scheduler;

import io.agentry.core.Task;
import io.agentry.core.spi.AgentSelector;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Agent selectors: how the runtime chooses, among the agents eligible for a task, the one that runs
 * it. Pass one to {@code AgentRuntime.builder().selector(...)}:
 *
 * {@snippet file="io/agentry/scheduler/SchedulingSnippetsTest.java" region="quick-start"}
 *
 * <p>Each call makes a new selector, which belongs to one runtime (binding it to a second throws
 * {@link IllegalStateException}). Selectors are called under the runtime's dispatch lock and never
 * block. Each returns an eligible agent with room, except {@link #consistentHash()}, which may return
 * a key's agent while it is full so that the task waits for it (affinity). Loads are relative to
 * capacity: an agent running 4 of 16 is less loaded than one running 1 of 2.
 *
 * <p>Which to choose: {@link #powerOfTwoChoices()} is the recommended default (it follows load at
 * O(1) cost); {@link #leastConnections()} balances best on small pools; {@link #peakEwma()} avoids
 * slow agents; {@link #consistentHash()} keeps a task key on one agent (caches, sessions);
 * {@link #roundRobin()} and the weighted variants suit equal, short tasks. The randomized selectors
 * take a {@link RandomGenerator} for reproducible tests; it is used under the dispatch lock only, so
 * it need not be thread-safe, but it must not be shared with other code.
 */
public final class Selectors {
  /** The default decay period of {@link #peakEwma()}: ten seconds, as in Finagle. */
  public static final Duration DEFAULT_PEAK_EWMA_DECAY = Duration.ofSeconds(10);

  private Selectors() {}

  /**
   * Round-robin: the next eligible agent with room, in rotation; equal shares whatever the load. The
   * runtime's default.
   *
   * @return a new selector
   */
  public static AgentSelector roundRobin() {
    return AgentSelector.roundRobin(); // the core's default, the same rotation
  }

  /**
   * Smooth weighted round-robin (as in nginx): each eligible agent with room is chosen in proportion
   * to its {@link io.agentry.core.Agent#weight(int) weight}, and the choices are interleaved rather
   * than in bursts (weights 5, 1, 1 give a a b a c a a).
   *
   * @return a new selector
   */
  public static AgentSelector weightedRoundRobin() {
    return new WeightedRoundRobinSelector();
  }

  /**
   * A uniformly random eligible agent with room.
   *
   * @return a new selector
   */
  public static AgentSelector random() {
    return random(new SplittableRandom());
  }

  /**
   * A uniformly random eligible agent with room, drawn from the given source.
   *
   * @param random the random source (for example {@code new SplittableRandom(42)} in tests)
   * @return a new selector
   * @throws NullPointerException if {@code random} is null
   */
  public static AgentSelector random(RandomGenerator random) {
    return new RandomSelector(Objects.requireNonNull(random, "random"));
  }

  /**
   * A random eligible agent with room, with probability proportional to its weight.
   *
   * @return a new selector
   */
  public static AgentSelector weightedRandom() {
    return weightedRandom(new SplittableRandom());
  }

  /**
   * A random eligible agent with room, with probability proportional to its weight, drawn from the
   * given source.
   *
   * @param random the random source
   * @return a new selector
   * @throws NullPointerException if {@code random} is null
   */
  public static AgentSelector weightedRandom(RandomGenerator random) {
    return new WeightedRandomSelector(Objects.requireNonNull(random, "random"));
  }

  /**
   * Least connections: the eligible agent with room running the fewest attempts relative to its
   * capacity; equally loaded agents take turns. Scans every eligible agent (O(n) per task).
   *
   * @return a new selector
   */
  public static AgentSelector leastConnections() {
    return new LeastConnectionsSelector();
  }

  /**
   * Power of two choices: of two random eligible agents with room, the less loaded relative to its
   * capacity. Nearly as balanced as {@link #leastConnections()}, at O(1) cost, and without sending a
   * burst of tasks to the one idle agent. The recommended default.
   *
   * @return a new selector
   */
  public static AgentSelector powerOfTwoChoices() {
    return powerOfTwoChoices(new SplittableRandom());
  }

  /**
   * Power of two choices, drawing from the given source.
   *
   * @param random the random source
   * @return a new selector
   * @throws NullPointerException if {@code random} is null
   */
  public static AgentSelector powerOfTwoChoices(RandomGenerator random) {
    return new PowerOfTwoChoicesSelector(Objects.requireNonNull(random, "random"));
  }

  /**
   * Peak EWMA (as in Finagle), with the default decay of ten seconds: latency-aware power of two
   * choices. See {@link #peakEwma(Duration, RandomGenerator)}.
   *
   * @return a new selector
   */
  public static AgentSelector peakEwma() {
    return peakEwma(DEFAULT_PEAK_EWMA_DECAY);
  }

  /**
   * Peak EWMA with the given decay. See {@link #peakEwma(Duration, RandomGenerator)}.
   *
   * @param decay how fast old latencies are forgotten; positive
   * @return a new selector
   * @throws IllegalArgumentException if {@code decay} is not positive
   * @throws NullPointerException if {@code decay} is null
   */
  public static AgentSelector peakEwma(Duration decay) {
    return peakEwma(decay, new SplittableRandom());
  }

  /**
   * Peak EWMA (as in Finagle): latency-aware power of two choices. Each agent's cost is a moving
   * average of its attempt latencies that jumps at once to any slower attempt (peak-sensitive) and
   * otherwise decays with weight {@code exp(-elapsed / decay)} on the runtime's clock; of two random
   * eligible agents with room the one with the lower {@code cost × (inFlight + 1)} wins. A slow agent
   * therefore gets less work as soon as it is slow, and is tried again once its cost has decayed.
   * Failed attempts count as at least as slow as the agent's cost so far. An agent with attempts in
   * flight but no latency known yet counts as very loaded.
   *
   * @param decay how fast old latencies are forgotten; positive
   * @param random the random source
   * @return a new selector
   * @throws IllegalArgumentException if {@code decay} is not positive
   * @throws NullPointerException if an argument is null
   */
  public static AgentSelector peakEwma(Duration decay, RandomGenerator random) {
    Objects.requireNonNull(decay, "decay");
    if (decay.isNegative() || decay.isZero()) {
      throw new IllegalArgumentException("decay must be positive, was " + decay);
    }
    long nanos = decay.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos()
        : decay.toNanos();
    return new PeakEwmaSelector(nanos, Objects.requireNonNull(random, "random"));
  }

  /**
   * Consistent hashing of the task's {@link Task#key() key}, with the default settings
   * ({@link ConsistentHashConfig#ofDefaults()}): a key keeps its agent while the eligible agents do
   * not change, and when one joins or leaves only about 1/n of the keys move. A key's agent is chosen
   * even when it is full, and the task then waits for it (at most the runtime's
   * {@code affinityWait}). Tasks without a key are placed by {@link #powerOfTwoChoices()}.
   *
   * @return a new selector
   */
  public static AgentSelector consistentHash() {
    return consistentHash(ConsistentHashConfig.ofDefaults());
  }

  /**
   * Consistent hashing of the task's {@link Task#key() key} on a ring of virtual nodes, optionally with
   * bounded loads (see {@link ConsistentHashConfig}). Agents of higher weight get proportionally
   * more keys. A retried task skips the agents it failed on and goes to the next agent on the ring.
   *
   * @param config the settings
   * @return a new selector
   * @throws NullPointerException if {@code config} is null
   */
  public static AgentSelector consistentHash(ConsistentHashConfig config) {
    return new ConsistentHashSelector(Objects.requireNonNull(config, "config"));
  }

  /**
   * Soft affinity to one agent: that agent whenever it is eligible and has room, otherwise the
   * fallback. The task never waits for the preferred agent.
   *
   * @param agentId the preferred agent's id; not blank
   * @param fallback chooses when the preferred agent is busy, down or not eligible
   * @return a new selector
   * @throws IllegalArgumentException if {@code agentId} is blank
   * @throws NullPointerException if an argument is null
   */
  public static AgentSelector preferringAgent(String agentId, AgentSelector fallback) {
    String id = checkName(agentId, "agentId");
    Optional<String> preferred = Optional.of(id);
    return new PreferringSelector.ById(task -> preferred, Objects.requireNonNull(fallback, "fallback"),
        "Selectors.preferringAgent(" + id + ")");
  }

  /**
   * Soft affinity per task: the agent the function names for the task whenever it is eligible and has
   * room (for example, the one that holds the task's data in a cache), otherwise the fallback. The
   * task never waits for the preferred agent. The function runs under the dispatch lock: keep it fast.
   *
   * @param preferredAgent returns the id of the task's preferred agent, or empty for none
   * @param fallback chooses when there is no preference or the preferred agent cannot take the task
   * @return a new selector
   * @throws NullPointerException if an argument is null
   */
  public static AgentSelector preferringAgentOf(
      Function<? super Task<?>, Optional<String>> preferredAgent, AgentSelector fallback) {
    return new PreferringSelector.ById(Objects.requireNonNull(preferredAgent, "preferredAgent"),
        Objects.requireNonNull(fallback, "fallback"), "Selectors.preferringAgentOf(" + preferredAgent
        + ")");
  }

  /**
   * Soft affinity to the agents having every one of some tags (for example a zone, or agents with
   * local disks): while one of them is eligible and has room, the fallback chooses among those;
   * otherwise it chooses among all eligible agents. Unlike a task's required tags, a preference never
   * makes a task wait.
   *
   * @param tags the preferred tags; not empty, none blank
   * @param fallback chooses among the preferred agents, or among all when none of them has room
   * @return a new selector
   * @throws IllegalArgumentException if {@code tags} is empty or a tag is blank
   * @throws NullPointerException if an argument or a tag is null
   */
  public static AgentSelector preferringTags(Set<String> tags, AgentSelector fallback) {
    Objects.requireNonNull(tags, "tags");
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("tags must not be empty, was " + tags);
    }
    for (String tag : tags) {
      checkName(tag, "tag");
    }
    return new PreferringSelector.ByTags(Set.copyOf(tags), Objects.requireNonNull(fallback, "fallback"));
  }

  private static String checkName(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank, was '" + value + "'");
    }
    return value;
  }
}
