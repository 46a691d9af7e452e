package io.agentry.scheduler;

import io.agentry.core.spi.AgentSelector;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Settings of {@link Selectors#consistentHash(ConsistentHashConfig)}. Immutable; build one with
 * {@link #builder()}, or take {@link #ofDefaults()}.
 *
 * {@snippet file="io/agentry/scheduler/SchedulingSnippetsTest.java" region="consistent-hash"}
 *
 * @param virtualNodes points on the ring per unit of agent weight (an agent of weight w has
 *     {@code virtualNodes × w}); more points spread keys more evenly and cost memory
 * @param boundedLoad the ε of consistent hashing with bounded loads, or empty when load is not
 *     bounded: no agent is given a task that would put it above {@code ceil((1 + ε) × mean)} attempts
 *     in flight, the mean taken over the eligible agents with the task counted
 * @param keylessSelector makes the selector that places tasks without a {@code key}; called once per
 *     consistent-hash selector made from this configuration
 */
public record ConsistentHashConfig(int virtualNodes, OptionalDouble boundedLoad,
    Supplier<? extends AgentSelector> keylessSelector) {

  /** The default number of virtual nodes per unit of weight (as in ketama). */
  public static final int DEFAULT_VIRTUAL_NODES = 160;
  /** The most virtual nodes per unit of weight. */
  public static final int MAX_VIRTUAL_NODES = 10_000;

  private static final ConsistentHashConfig DEFAULTS = builder().build();

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException if {@code virtualNodes} is not between 1 and
   *     {@value #MAX_VIRTUAL_NODES}, or {@code boundedLoad} is present but not positive and finite
   * @throws NullPointerException if an argument is null
   */
  public ConsistentHashConfig {
    checkVirtualNodes(virtualNodes);
    Objects.requireNonNull(boundedLoad, "boundedLoad");
    if (boundedLoad.isPresent()) {
      checkEpsilon(boundedLoad.getAsDouble());
    }
    Objects.requireNonNull(keylessSelector, "keylessSelector");
  }

  /**
   * Returns the default settings: {@value #DEFAULT_VIRTUAL_NODES} virtual nodes, load not bounded,
   * and {@link Selectors#powerOfTwoChoices()} for tasks without a key.
   *
   * @return the defaults
   */
  public static ConsistentHashConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these settings, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.virtualNodes = virtualNodes;
    b.boundedLoad = boundedLoad;
    b.keylessSelector = keylessSelector;
    return b;
  }

  private static int checkVirtualNodes(int value) {
    if (value < 1 || value > MAX_VIRTUAL_NODES) {
      throw new IllegalArgumentException("virtualNodes must be between 1 and " + MAX_VIRTUAL_NODES
          + ", was " + value);
    }
    return value;
  }

  private static double checkEpsilon(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("boundedLoad epsilon must be positive and finite, was "
          + value);
    }
    return value;
  }

  /** Builds a {@link ConsistentHashConfig}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private int virtualNodes = DEFAULT_VIRTUAL_NODES;
    private OptionalDouble boundedLoad = OptionalDouble.empty();
    private Supplier<? extends AgentSelector> keylessSelector = Selectors::powerOfTwoChoices;

    private Builder() {}

    /**
     * Sets the number of points on the ring per unit of agent weight. Default
     * {@value ConsistentHashConfig#DEFAULT_VIRTUAL_NODES}.
     *
     * @param value between 1 and {@value ConsistentHashConfig#MAX_VIRTUAL_NODES}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder virtualNodes(int value) {
      this.virtualNodes = checkVirtualNodes(value);
      return this;
    }

    /**
     * Bounds the load: a task whose key's agent already runs {@code ceil((1 + epsilon) × mean)}
     * attempts or more goes to the next agent on the ring below that bound. Smaller values balance
     * more and move more keys off their agent; 0.25 is a common choice. Default: not bounded.
     *
     * @param epsilon positive and finite
     * @return this builder
     * @throws IllegalArgumentException if not positive and finite
     */
    public Builder boundedLoad(double epsilon) {
      this.boundedLoad = OptionalDouble.of(checkEpsilon(epsilon));
      return this;
    }

    /**
     * Removes the load bound (the default): a full agent keeps its keys, and the runtime pins their
     * tasks to it for at most its {@code affinityWait}.
     *
     * @return this builder
     */
    public Builder unboundedLoad() {
      this.boundedLoad = OptionalDouble.empty();
      return this;
    }

    /**
     * Sets what makes the selector for tasks without a key, for example
     * {@code Selectors::leastConnections}. A new one is made for each consistent-hash selector, since
     * a selector belongs to one runtime. Default {@code Selectors::powerOfTwoChoices}.
     *
     * @param factory makes the selector
     * @return this builder
     * @throws NullPointerException if {@code factory} is null
     */
    public Builder keylessSelector(Supplier<? extends AgentSelector> factory) {
      this.keylessSelector = Objects.requireNonNull(factory, "keylessSelector");
      return this;
    }

    /**
     * Builds the settings; the builder is unchanged and can build again.
     *
     * @return the settings
     */
    public ConsistentHashConfig build() {
      return new ConsistentHashConfig(virtualNodes, boundedLoad, keylessSelector);
    }
  }
}
