package io.agentry.core;

import io.agentry.core.spi.ExecutionPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A unit of work to run on some agent: a name, the {@link TaskWork} and how it may be placed and
 * bounded. Immutable and thread-safe; one task may be submitted many times (each submission is a
 * separate run with its own handle), unless it has a user-given {@link Builder#id(String) id}.
 *
 * <pre>{@code
 * Task<Integer> t = Task.builder("resize", ctx -> resize(image))
 *     .requires("gpu")
 *     .resource("memoryGb", 4)
 *     .attemptTimeout(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 *
 * @param <T> the result type
 */
public final class Task<T extends @Nullable Object> {

  private final String name;
  private final TaskWork<T> work;
  private final @Nullable String id;
  private final int priority;
  private final @Nullable String key;
  private final boolean orderedByKey;
  private final Set<String> requiredTags;
  private final Map<String, Double> resources;
  private final TaskTimeouts timeouts;
  private final @Nullable ExecutionPolicy policy;
  private final @Nullable String idempotencyKey;
  private final Map<String, String> labels;

  private Task(Builder<T> b) {
    this.name = b.name;
    this.work = b.work;
    this.id = b.id;
    this.priority = b.priority;
    this.key = b.key;
    this.orderedByKey = b.orderedByKey;
    this.requiredTags = Set.copyOf(b.requiredTags);
    this.resources = Map.copyOf(b.resources);
    this.timeouts = b.timeouts;
    this.policy = b.policy;
    this.idempotencyKey = b.idempotencyKey;
    this.labels = Map.copyOf(b.labels);
  }

  /**
   * Creates a task with a name and its work, and every other setting at its default.
   *
   * @param name a short, bounded name (used in logs and metrics tags); not blank
   * @param work what an agent runs
   * @param <T> the result type
   * @return the task
   * @throws IllegalArgumentException if the name is blank
   * @throws NullPointerException if an argument is null
   */
  public static <T extends @Nullable Object> Task<T> of(String name, TaskWork<T> work) {
    return new Builder<>(name, work).build();
  }

  /**
   * Starts a builder for a task with more settings than {@link #of(String, TaskWork)}.
   *
   * @param name a short, bounded name (used in logs and metrics tags); not blank
   * @param work what an agent runs
   * @param <T> the result type
   * @return a new builder
   * @throws IllegalArgumentException if the name is blank
   * @throws NullPointerException if an argument is null
   */
  public static <T extends @Nullable Object> Builder<T> builder(String name, TaskWork<T> work) {
    return new Builder<>(name, work);
  }

  /**
   * Returns a builder holding this task's settings, to derive a variant.
   *
   * @return a new builder initialised from this task
   */
  public Builder<T> toBuilder() {
    Builder<T> b = new Builder<>(name, work);
    b.id = id;
    b.priority = priority;
    b.key = key;
    b.orderedByKey = orderedByKey;
    b.requiredTags = new java.util.LinkedHashSet<>(requiredTags);
    b.resources = new LinkedHashMap<>(resources);
    b.timeouts = timeouts;
    b.policy = policy;
    b.idempotencyKey = idempotencyKey;
    b.labels = new LinkedHashMap<>(labels);
    return b;
  }

  /**
   * Returns the task's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the work an agent runs for each attempt.
   *
   * @return the work
   */
  public TaskWork<T> work() {
    return work;
  }

  /**
   * Returns the user-given id, if any. Without one the runtime makes an id per submission.
   *
   * @return the id given with {@link Builder#id(String)}, or empty
   */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /**
   * Returns the priority, read by priority queue disciplines (higher runs first); the default FIFO
   * queue ignores it. Default 0.
   *
   * @return the priority
   */
  public int priority() {
    return priority;
  }

  /**
   * Returns the routing key read by key-aware selectors (consistent hashing), if any.
   *
   * @return the key, or empty
   */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /**
   * Tells whether this task runs one at a time, in submission order, with the other tasks of the same
   * {@link #key()} that are ordered by key.
   *
   * @return {@code true} if set with {@link Builder#orderedByKey()}
   */
  public boolean orderedByKey() {
    return orderedByKey;
  }

  /**
   * Returns the tags an agent must all have to run this task.
   *
   * @return an immutable set, empty by default
   */
  public Set<String> requiredTags() {
    return requiredTags;
  }

  /**
   * Returns the amount of each named agent resource one attempt of this task holds while it runs.
   *
   * @return an immutable map, empty by default
   */
  public Map<String, Double> resources() {
    return resources;
  }

  /**
   * Returns the task's own timeouts; an unset one falls back to the policy's, then to none.
   *
   * @return the timeouts, {@link TaskTimeouts#none()} by default
   */
  public TaskTimeouts timeouts() {
    return timeouts;
  }

  /**
   * Returns the policy that overrides the runtime's for this task, if any.
   *
   * @return the policy, or empty to use the runtime's
   */
  public Optional<ExecutionPolicy> policy() {
    return Optional.ofNullable(policy);
  }

  /**
   * Returns the idempotency key, if any: submissions with the same key share one execution while it
   * runs, and a recent success answers repeats (see {@link Builder#idempotencyKey(String)}).
   *
   * @return the key, or empty
   */
  public Optional<String> idempotencyKey() {
    return Optional.ofNullable(idempotencyKey);
  }

  @Nullable String rawIdempotencyKey() {
    return idempotencyKey;
  }

  /**
   * Returns free-form labels carried with the task (for listeners and logs).
   *
   * @return an immutable map, empty by default
   */
  public Map<String, String> labels() {
    return labels;
  }

  @Nullable String rawId() {
    return id;
  }

  @Nullable ExecutionPolicy rawPolicy() {
    return policy;
  }

  @Override
  public String toString() {
    return "Task[" + name + (id == null ? "" : ", id=" + id) + "]";
  }

  /**
   * Builds a {@link Task}. Each setter checks its argument at once; {@link #build()} may be called
   * again. Not thread-safe.
   *
   * @param <T> the result type
   */
  public static final class Builder<T extends @Nullable Object> {
    private final String name;
    private final TaskWork<T> work;
    private @Nullable String id;
    private int priority;
    private @Nullable String key;
    private boolean orderedByKey;
    private Set<String> requiredTags = new java.util.LinkedHashSet<>();
    private Map<String, Double> resources = new LinkedHashMap<>();
    private TaskTimeouts timeouts = TaskTimeouts.none();
    private @Nullable ExecutionPolicy policy;
    private @Nullable String idempotencyKey;
    private Map<String, String> labels = new LinkedHashMap<>();

    private Builder(String name, TaskWork<T> work) {
      this.name = Checks.name(name, "name");
      this.work = Objects.requireNonNull(work, "work");
    }

    /**
     * Sets the task's id. While a run with this id is in flight, another submission with the same id
     * is rejected. Default: none (the runtime makes one per submission).
     *
     * @param id the id; not blank
     * @return this builder
     * @throws IllegalArgumentException if the id is blank
     */
    public Builder<T> id(String id) {
      this.id = Checks.name(id, "id");
      return this;
    }

    /**
     * Sets the priority used by priority queue disciplines (higher first). Default 0.
     *
     * @param priority any int
     * @return this builder
     */
    public Builder<T> priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Sets the routing key for key-aware selectors such as consistent hashing. Default: none.
     *
     * @param key the key; not blank
     * @return this builder
     * @throws IllegalArgumentException if the key is blank
     */
    public Builder<T> key(String key) {
      this.key = Checks.name(key, "key");
      return this;
    }

    /**
     * Makes this task wait for every earlier-submitted, still unfinished task of the same key that is
     * also ordered by key: such tasks run one at a time, in submission order, whatever the queue
     * discipline. Any end of a task (success, failure, cancel, timeout) lets the next one go. This is
     * the simple answer to concurrent conflicting updates of one entity. Requires a {@link #key}.
     *
     * @return this builder
     */
    public Builder<T> orderedByKey() {
      this.orderedByKey = true;
      return this;
    }

    /**
     * Adds tags an agent must have to run this task. A task whose tags no agent has waits in the
     * queue until such an agent is added, or until its queue timeout or deadline ends it with
     * {@link NoEligibleAgentException}.
     *
     * @param tags the tags; none blank
     * @return this builder
     * @throws IllegalArgumentException if a tag is blank
     */
    public Builder<T> requires(String... tags) {
      Objects.requireNonNull(tags, "tags");
      for (String tag : Arrays.asList(tags)) {
        requiredTags.add(Checks.name(tag, "tag"));
      }
      return this;
    }

    /**
     * Declares how much of a named agent resource one attempt holds while it runs (for example
     * {@code resource("memoryGb", 4)}). An agent runs the attempt only when that much is free.
     *
     * @param resourceName the resource name; not blank
     * @param amount a positive, finite amount
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or the amount not positive and finite
     */
    public Builder<T> resource(String resourceName, double amount) {
      Checks.name(resourceName, "resource name");
      if (!(amount > 0) || Double.isInfinite(amount)) {
        throw new IllegalArgumentException(
            "resource '" + resourceName + "' amount must be positive and finite, was " + amount);
      }
      resources.put(resourceName, amount);
      return this;
    }

    /**
     * Sets the longest time from submission to the start of the first attempt. Default: none.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder<T> queueTimeout(Duration timeout) {
      timeouts = timeouts.withQueueTimeout(timeout);
      return this;
    }

    /**
     * Sets the longest time one attempt may run; the attempt is then interrupted and counts as a
     * failed attempt ({@link TaskTimeoutException}). Default: none.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder<T> attemptTimeout(Duration timeout) {
      timeouts = timeouts.withAttemptTimeout(timeout);
      return this;
    }

    /**
     * Sets the longest time from submission to the final outcome, retries and waits included.
     * Default: none.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder<T> deadline(Duration timeout) {
      timeouts = timeouts.withDeadline(timeout);
      return this;
    }

    /**
     * Sets how long an attempt may go without calling {@link TaskContext#heartbeat()} before it is
     * presumed stuck and timed out. Default: none.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder<T> heartbeatTimeout(Duration timeout) {
      timeouts = timeouts.withHeartbeatTimeout(timeout);
      return this;
    }

    /**
     * Sets the policy for this task, replacing the runtime's. Default: the runtime's policy.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<T> policy(ExecutionPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets an idempotency key: a submission whose key matches a task still in flight gets that
     * task's handle instead of a new execution, and one whose key matches a recent success gets that
     * success from the runtime's result cache (see {@code AgentRuntime.Builder.resultCache}); only
     * successes are cached. Tasks with the same key must be the same work with the same result type.
     * Cancelling a shared handle cancels the one execution for every holder. Default: none.
     *
     * @param key the key; not blank
     * @return this builder
     * @throws IllegalArgumentException if the key is blank
     */
    public Builder<T> idempotencyKey(String key) {
      this.idempotencyKey = Checks.name(key, "idempotencyKey");
      return this;
    }

    /**
     * Adds a label carried with the task.
     *
     * @param labelKey the label's key; not blank
     * @param value the label's value
     * @return this builder
     * @throws IllegalArgumentException if the key is blank
     */
    public Builder<T> label(String labelKey, String value) {
      labels.put(Checks.name(labelKey, "label key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Builds the immutable task.
     *
     * @return the task
     * @throws IllegalStateException if {@link #orderedByKey()} is set without a {@link #key(String)}
     */
    public Task<T> build() {
      if (orderedByKey && key == null) {
        throw new IllegalStateException("task '" + name + "': orderedByKey() requires a key(...)");
      }
      return new Task<>(this);
    }
  }
}
