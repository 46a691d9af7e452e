package io.agentry.scheduler;

import io.agentry.core.Task;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings of {@link Queues#fairShare(FairShareConfig)}: how a task's fairness key (its tenant, for
 * example) is found, and the weight of each key. Immutable; build one with {@link #builder()}.
 *
 * {@snippet file="io/agentry/scheduler/SchedulingSnippetsTest.java" region="fair-share"}
 *
 * @param keyOf finds a task's fairness key; tasks for which it returns empty (or throws) share one
 *     group, which has the default weight
 * @param weights the weight of each named key (at least 1)
 * @param defaultWeight the weight of keys not in {@code weights}, and of the group of tasks without a
 *     key (at least 1)
 */
public record FairShareConfig(Function<? super Task<?>, Optional<String>> keyOf,
    Map<String, Integer> weights, int defaultWeight) {

  private static final FairShareConfig DEFAULTS = builder().build();

  /**
   * Checks and copies the settings.
   *
   * @throws IllegalArgumentException if a weight is below 1 or a key is blank
   * @throws NullPointerException if an argument, a key or a weight is null
   */
  public FairShareConfig {
    Objects.requireNonNull(keyOf, "keyOf");
    Objects.requireNonNull(weights, "weights");
    weights.forEach((key, weight) -> {
      checkKey(key);
      checkWeight(Objects.requireNonNull(weight, "weight"), "weight of key '" + key + "'");
    });
    weights = Map.copyOf(weights);
    checkWeight(defaultWeight, "defaultWeight");
  }

  /**
   * Returns the default settings: tasks are keyed by their {@link Task#key() routing key}, and every
   * key has weight 1.
   *
   * @return the defaults
   */
  public static FairShareConfig ofDefaults() {
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
    b.keyOf = keyOf;
    b.weights.putAll(weights);
    b.defaultWeight = defaultWeight;
    return b;
  }

  /**
   * Returns the weight of a fairness key.
   *
   * @param key the key
   * @return its weight, or the default weight
   * @throws NullPointerException if {@code key} is null
   */
  public int weightOf(String key) {
    return weights.getOrDefault(Objects.requireNonNull(key, "key"), defaultWeight);
  }

  private static String checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isBlank()) {
      throw new IllegalArgumentException("fairness key must not be blank, was '" + key + "'");
    }
    return key;
  }

  private static int checkWeight(int weight, String what) {
    if (weight < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, was " + weight);
    }
    return weight;
  }

  /** Builds a {@link FairShareConfig}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private Function<? super Task<?>, Optional<String>> keyOf = Task::key;
    private final Map<String, Integer> weights = new LinkedHashMap<>();
    private int defaultWeight = 1;

    private Builder() {}

    /**
     * Sets how a task's fairness key is found. Default: the task's {@link Task#key() routing key}.
     *
     * @param function returns the key, or empty for the shared group of tasks without one
     * @return this builder
     * @throws NullPointerException if {@code function} is null
     */
    public Builder keyedBy(Function<? super Task<?>, Optional<String>> function) {
      this.keyOf = Objects.requireNonNull(function, "keyedBy");
      return this;
    }

    /**
     * Keys tasks by the value of one of their {@link Task#labels() labels}, for example
     * {@code keyedByLabel("tenant")}.
     *
     * @param label the label's key; not blank
     * @return this builder
     * @throws IllegalArgumentException if {@code label} is blank
     * @throws NullPointerException if {@code label} is null
     */
    public Builder keyedByLabel(String label) {
      Objects.requireNonNull(label, "label");
      if (label.isBlank()) {
        throw new IllegalArgumentException("label must not be blank, was '" + label + "'");
      }
      this.keyOf = task -> Optional.ofNullable(task.labels().get(label));
      return this;
    }

    /**
     * Sets the weight of one fairness key: while several keys have tasks waiting, each gets starts in
     * proportion to its weight.
     *
     * @param key the key; not blank
     * @param weight at least 1
     * @return this builder
     * @throws IllegalArgumentException if the key is blank or the weight below 1
     * @throws NullPointerException if {@code key} is null
     */
    public Builder weight(String key, int weight) {
      weights.put(checkKey(key), checkWeight(weight, "weight of key '" + key + "'"));
      return this;
    }

    /**
     * Sets the weight of keys without their own. Default 1.
     *
     * @param weight at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder defaultWeight(int weight) {
      this.defaultWeight = checkWeight(weight, "defaultWeight");
      return this;
    }

    /**
     * Builds the settings; the builder is unchanged and can build again.
     *
     * @return the settings
     */
    public FairShareConfig build() {
      return new FairShareConfig(keyOf, weights, defaultWeight);
    }
  }
}
