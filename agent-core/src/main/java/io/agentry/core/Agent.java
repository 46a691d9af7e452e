package io.agentry.core;

import io.agentry.core.spi.AgentBackend;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The description of an agent (a worker that runs tasks): its id, how many attempts it runs at once
 * ({@link #capacity()}), the tags and numeric resources it offers and its weight for weighted
 * selectors. Immutable: each setter-like method returns a changed copy, so a description reads as a
 * chain.
 *
 * <pre>{@code
 * Agent gpu = Agent.local("gpu-1").capacity(4).tags("gpu", "cuda12").resource("memoryGb", 24);
 * }</pre>
 *
 * <p>A <em>local</em> agent runs each attempt on a virtual thread of this JVM. Agents of other
 * kinds (remote members in cluster mode) come from {@link #of(String, AgentBackend)}. The runtime
 * state of an agent ({@link AgentState}, in-flight attempts) lives in the runtime, see
 * {@link AgentRuntime#snapshot()}.
 */
public final class Agent {
  /** The capacity of an agent when none is set. */
  public static final int DEFAULT_CAPACITY = 16;

  private final String id;
  private final int capacity;
  private final Set<String> tags;
  private final Map<String, Double> resources;
  private final int weight;
  private final @Nullable AgentBackend backend;

  private Agent(
      String id, int capacity, Set<String> tags, Map<String, Double> resources, int weight,
      @Nullable AgentBackend backend) {
    this.id = id;
    this.capacity = capacity;
    this.tags = tags;
    this.resources = resources;
    this.weight = weight;
    this.backend = backend;
  }

  /**
   * Describes a local agent: attempts run on virtual threads of this JVM. Defaults: capacity
   * {@value #DEFAULT_CAPACITY}, no tags, no resources, weight 1.
   *
   * @param id a unique, non-blank id
   * @return the agent description
   * @throws IllegalArgumentException if the id is blank
   */
  public static Agent local(String id) {
    return new Agent(Checks.name(id, "agent id"), DEFAULT_CAPACITY, Set.of(), Map.of(), 1, null);
  }

  /**
   * Describes an agent whose attempts run through a backend (for example on another JVM).
   * Defaults as for {@link #local(String)}.
   *
   * @param id a unique, non-blank id
   * @param backend how the agent runs an attempt
   * @return the agent description
   * @throws IllegalArgumentException if the id is blank
   */
  public static Agent of(String id, AgentBackend backend) {
    return new Agent(
        Checks.name(id, "agent id"), DEFAULT_CAPACITY, Set.of(), Map.of(), 1,
        Objects.requireNonNull(backend, "backend"));
  }

  /**
   * Returns a copy with the given capacity: the most attempts the agent runs at once.
   *
   * @param slots at least 1
   * @return the changed copy
   * @throws IllegalArgumentException if {@code slots} is below 1
   */
  public Agent capacity(int slots) {
    Checks.atLeast(slots, 1, "capacity of agent '" + id + "'");
    return new Agent(id, slots, tags, resources, weight, backend);
  }

  /**
   * Returns a copy that also has the given tags. Tasks that {@link Task.Builder#requires(String...)
   * require} tags run only on agents having all of them.
   *
   * @param more the tags; none blank
   * @return the changed copy
   * @throws IllegalArgumentException if a tag is blank
   */
  public Agent tags(String... more) {
    Objects.requireNonNull(more, "tags");
    Set<String> all = new LinkedHashSet<>(tags);
    for (String tag : Arrays.asList(more)) {
      all.add(Checks.name(tag, "tag of agent '" + id + "'"));
    }
    return new Agent(id, capacity, Set.copyOf(all), resources, weight, backend);
  }

  /**
   * Returns a copy that offers an amount of a named resource. Attempts hold the amount their task
   * declares while they run, so the agent runs a task only while enough is free.
   *
   * @param name the resource name; not blank
   * @param amount a non-negative, finite amount
   * @return the changed copy
   * @throws IllegalArgumentException if the name is blank or the amount negative or not finite
   */
  public Agent resource(String name, double amount) {
    Checks.name(name, "resource name of agent '" + id + "'");
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new IllegalArgumentException("resource '" + name + "' of agent '" + id
          + "' must be non-negative and finite, was " + amount);
    }
    Map<String, Double> all = new LinkedHashMap<>(resources);
    all.put(name, amount);
    return new Agent(id, capacity, tags, Map.copyOf(all), weight, backend);
  }

  /**
   * Returns a copy with the given weight, read by weighted selectors. Default 1.
   *
   * @param value at least 1
   * @return the changed copy
   * @throws IllegalArgumentException if {@code value} is below 1
   */
  public Agent weight(int value) {
    Checks.atLeast(value, 1, "weight of agent '" + id + "'");
    return new Agent(id, capacity, tags, resources, value, backend);
  }

  /**
   * Returns the agent's id.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns the most attempts the agent runs at once.
   *
   * @return the capacity, at least 1
   */
  public int capacity() {
    return capacity;
  }

  /**
   * Returns the agent's tags.
   *
   * @return an immutable set
   */
  public Set<String> tags() {
    return tags;
  }

  /**
   * Returns the resources the agent offers, by name.
   *
   * @return an immutable map
   */
  public Map<String, Double> resources() {
    return resources;
  }

  /**
   * Returns the weight read by weighted selectors.
   *
   * @return the weight, at least 1
   */
  public int weight() {
    return weight;
  }

  /**
   * Tells whether attempts run on virtual threads of this JVM.
   *
   * @return {@code true} for agents made by {@link #local(String)}
   */
  public boolean isLocal() {
    return backend == null;
  }

  /**
   * Returns the backend of a non-local agent.
   *
   * @return the backend, or empty for a local agent
   */
  public Optional<AgentBackend> backend() {
    return Optional.ofNullable(backend);
  }

  @Nullable AgentBackend rawBackend() {
    return backend;
  }

  @Override
  public String toString() {
    return "Agent[" + id + ", capacity=" + capacity
        + (tags.isEmpty() ? "" : ", tags=" + tags)
        + (resources.isEmpty() ? "" : ", resources=" + resources)
        + (weight == 1 ? "" : ", weight=" + weight)
        + (backend == null ? ", local" : ", backend=" + backend) + "]";
  }
}
