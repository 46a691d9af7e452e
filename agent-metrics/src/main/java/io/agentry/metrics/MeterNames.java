package io.agentry.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The names of every meter this module registers, in one place, so that a deployment whose naming
 * scheme differs can rename them all. The defaults (the constants of this class) follow Micrometer's
 * conventions: lowercase, dot-separated nouns starting with {@code agentry.}, no units in names (a
 * registry such as Prometheus adds its own suffixes, for example {@code _seconds} and {@code _total}).
 *
 * <pre>{@code
 * MeterNames names = MeterNames.ofDefaults().toBuilder()
 *     .tasksCompleted("jobs.completed")
 *     .build();
 * AgentryMetrics.builder(runtime).names(names).build().bindTo(registry);
 * }</pre>
 *
 * <p>Tag keys are fixed (they are part of every dashboard's queries): {@value #RUNTIME_TAG},
 * {@value #TASK_TAG}, {@value #AGENT_TAG}, {@value #OUTCOME_TAG}, {@value #CAUSE_TAG},
 * {@value #STATE_TAG}, {@value #RESULT_TAG} and {@value #STATUS_TAG}. docs/metrics.md lists every
 * meter with its type, unit and tags.
 *
 * @param tasksSubmitted counter of accepted tasks
 * @param tasksRejected counter of refused submissions
 * @param tasksCompleted counter of ended tasks, by outcome and cause
 * @param taskDuration timer from submission to the end of a task
 * @param taskQueueWait timer of the time a task waited in the queue before an attempt started
 * @param tasksQueued gauge of tasks waiting for an agent
 * @param tasksRunning gauge of tasks with an attempt running
 * @param tasksRetryWaiting gauge of tasks waiting for a retry backoff to pass
 * @param attempts counter of ended attempts, by outcome
 * @param retries counter of retries the policy scheduled
 * @param timeouts counter of timeouts that passed, by cause
 * @param failovers counter of retries whose attempt ran on another agent than the failed one
 * @param hedges counter of hedged attempts
 * @param agents gauge of registered agents, by state
 * @param agentInFlight gauge of attempts holding a slot of an agent
 * @param agentCapacity gauge of an agent's slots
 * @param agentUtilization gauge of an agent's busy share of slots, from 0 to 1
 * @param agentState gauge per agent and state: 1 for the agent's current state, 0 for the others
 * @param agentAttempts function counter of attempts an agent ran, by outcome
 * @param healthChecks counter of health checks, by result
 * @param healthTransitions counter of health status changes, by the new status
 */
public record MeterNames(
    String tasksSubmitted, String tasksRejected, String tasksCompleted, String taskDuration,
    String taskQueueWait, String tasksQueued, String tasksRunning, String tasksRetryWaiting,
    String attempts, String retries, String timeouts, String failovers, String hedges,
    String agents, String agentInFlight, String agentCapacity, String agentUtilization,
    String agentState, String agentAttempts, String healthChecks, String healthTransitions) {

  /** Default name of the counter of accepted tasks. */
  public static final String TASKS_SUBMITTED = "agentry.tasks.submitted";
  /** Default name of the counter of refused submissions. */
  public static final String TASKS_REJECTED = "agentry.tasks.rejected";
  /** Default name of the counter of ended tasks. */
  public static final String TASKS_COMPLETED = "agentry.tasks.completed";
  /** Default name of the timer from submission to the end of a task. */
  public static final String TASK_DURATION = "agentry.tasks.duration";
  /** Default name of the timer of queue waits. */
  public static final String TASK_QUEUE_WAIT = "agentry.tasks.queue.wait";
  /** Default name of the gauge of queued tasks. */
  public static final String TASKS_QUEUED = "agentry.tasks.queued";
  /** Default name of the gauge of running tasks. */
  public static final String TASKS_RUNNING = "agentry.tasks.running";
  /** Default name of the gauge of tasks waiting for a retry. */
  public static final String TASKS_RETRY_WAITING = "agentry.tasks.retry.waiting";
  /** Default name of the counter of ended attempts. */
  public static final String ATTEMPTS = "agentry.attempts";
  /** Default name of the counter of scheduled retries. */
  public static final String RETRIES = "agentry.retries";
  /** Default name of the counter of timeouts. */
  public static final String TIMEOUTS = "agentry.timeouts";
  /** Default name of the counter of failovers. */
  public static final String FAILOVERS = "agentry.failovers";
  /** Default name of the counter of hedged attempts. */
  public static final String HEDGES = "agentry.hedges";
  /** Default name of the gauge of agents by state. */
  public static final String AGENTS = "agentry.agents";
  /** Default name of the gauge of an agent's attempts in flight. */
  public static final String AGENT_IN_FLIGHT = "agentry.agent.inflight";
  /** Default name of the gauge of an agent's capacity. */
  public static final String AGENT_CAPACITY = "agentry.agent.capacity";
  /** Default name of the gauge of an agent's utilization. */
  public static final String AGENT_UTILIZATION = "agentry.agent.utilization";
  /** Default name of the gauge of an agent's state. */
  public static final String AGENT_STATE = "agentry.agent.state";
  /** Default name of the function counter of attempts per agent. */
  public static final String AGENT_ATTEMPTS = "agentry.agent.attempts";
  /** Default name of the counter of health checks. */
  public static final String HEALTH_CHECKS = "agentry.health.checks";
  /** Default name of the counter of health transitions. */
  public static final String HEALTH_TRANSITIONS = "agentry.health.transitions";

  /** Tag key of the runtime's name, on every meter. */
  public static final String RUNTIME_TAG = "runtime";
  /** Tag key of the task's name (never its id), on task meters. */
  public static final String TASK_TAG = "task";
  /** Tag key of the agent id, on agent and health meters. */
  public static final String AGENT_TAG = "agent";
  /** Tag key of how a task or attempt ended: a lowercase state such as {@code timed_out}. */
  public static final String OUTCOME_TAG = "outcome";
  /** Tag key of why a task ended or timed out: a {@link TaskCause} tag value. */
  public static final String CAUSE_TAG = "cause";
  /** Tag key of an agent's state: {@code up}, {@code draining} or {@code down}. */
  public static final String STATE_TAG = "state";
  /** Tag key of a health check's result: {@code healthy} or {@code unhealthy}. */
  public static final String RESULT_TAG = "result";
  /** Tag key of the health status an agent moved to: {@code healthy} or {@code unhealthy}. */
  public static final String STATUS_TAG = "status";

  private static final MeterNames DEFAULTS = new MeterNames(
      TASKS_SUBMITTED, TASKS_REJECTED, TASKS_COMPLETED, TASK_DURATION, TASK_QUEUE_WAIT,
      TASKS_QUEUED, TASKS_RUNNING, TASKS_RETRY_WAITING, ATTEMPTS, RETRIES, TIMEOUTS, FAILOVERS,
      HEDGES, AGENTS, AGENT_IN_FLIGHT, AGENT_CAPACITY, AGENT_UTILIZATION, AGENT_STATE,
      AGENT_ATTEMPTS, HEALTH_CHECKS, HEALTH_TRANSITIONS);

  /**
   * Checks every name.
   *
   * @throws IllegalArgumentException if a name is blank, naming the component
   * @throws IllegalStateException if two meters share a name
   * @throws NullPointerException if a name is null
   */
  public MeterNames {
    Map<String, String> seen = new HashMap<>();
    check(seen, tasksSubmitted, "tasksSubmitted");
    check(seen, tasksRejected, "tasksRejected");
    check(seen, tasksCompleted, "tasksCompleted");
    check(seen, taskDuration, "taskDuration");
    check(seen, taskQueueWait, "taskQueueWait");
    check(seen, tasksQueued, "tasksQueued");
    check(seen, tasksRunning, "tasksRunning");
    check(seen, tasksRetryWaiting, "tasksRetryWaiting");
    check(seen, attempts, "attempts");
    check(seen, retries, "retries");
    check(seen, timeouts, "timeouts");
    check(seen, failovers, "failovers");
    check(seen, hedges, "hedges");
    check(seen, agents, "agents");
    check(seen, agentInFlight, "agentInFlight");
    check(seen, agentCapacity, "agentCapacity");
    check(seen, agentUtilization, "agentUtilization");
    check(seen, agentState, "agentState");
    check(seen, agentAttempts, "agentAttempts");
    check(seen, healthChecks, "healthChecks");
    check(seen, healthTransitions, "healthTransitions");
  }

  private static void check(Map<String, String> seen, String name, String component) {
    Builder.name(name, component);
    String other = seen.putIfAbsent(name, component);
    if (other != null) {
      throw new IllegalStateException("meter names must differ: " + other + " and " + component
          + " are both '" + name + "'");
    }
  }

  /**
   * Returns the default names, the constants of this class.
   *
   * @return the defaults
   */
  public static MeterNames ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder holding these names, to change some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds {@link MeterNames}, starting from given names. Each setter rejects a blank name at once;
   * {@link #build()} rejects two meters with one name. Not thread-safe.
   */
  public static final class Builder {
    private String tasksSubmitted;
    private String tasksRejected;
    private String tasksCompleted;
    private String taskDuration;
    private String taskQueueWait;
    private String tasksQueued;
    private String tasksRunning;
    private String tasksRetryWaiting;
    private String attempts;
    private String retries;
    private String timeouts;
    private String failovers;
    private String hedges;
    private String agents;
    private String agentInFlight;
    private String agentCapacity;
    private String agentUtilization;
    private String agentState;
    private String agentAttempts;
    private String healthChecks;
    private String healthTransitions;

    private Builder(MeterNames from) {
      tasksSubmitted = from.tasksSubmitted;
      tasksRejected = from.tasksRejected;
      tasksCompleted = from.tasksCompleted;
      taskDuration = from.taskDuration;
      taskQueueWait = from.taskQueueWait;
      tasksQueued = from.tasksQueued;
      tasksRunning = from.tasksRunning;
      tasksRetryWaiting = from.tasksRetryWaiting;
      attempts = from.attempts;
      retries = from.retries;
      timeouts = from.timeouts;
      failovers = from.failovers;
      hedges = from.hedges;
      agents = from.agents;
      agentInFlight = from.agentInFlight;
      agentCapacity = from.agentCapacity;
      agentUtilization = from.agentUtilization;
      agentState = from.agentState;
      agentAttempts = from.agentAttempts;
      healthChecks = from.healthChecks;
      healthTransitions = from.healthTransitions;
    }

    static String name(String value, String component) {
      Objects.requireNonNull(value, component);
      if (value.isBlank()) {
        throw new IllegalArgumentException(component + " must not be blank");
      }
      return value;
    }

    /**
     * Sets the name of the counter of accepted tasks. Default {@value MeterNames#TASKS_SUBMITTED}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksSubmitted(String value) {
      tasksSubmitted = name(value, "tasksSubmitted");
      return this;
    }

    /**
     * Sets the name of the counter of refused submissions. Default {@value MeterNames#TASKS_REJECTED}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksRejected(String value) {
      tasksRejected = name(value, "tasksRejected");
      return this;
    }

    /**
     * Sets the name of the counter of ended tasks. Default {@value MeterNames#TASKS_COMPLETED}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksCompleted(String value) {
      tasksCompleted = name(value, "tasksCompleted");
      return this;
    }

    /**
     * Sets the name of the task duration timer. Default {@value MeterNames#TASK_DURATION}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder taskDuration(String value) {
      taskDuration = name(value, "taskDuration");
      return this;
    }

    /**
     * Sets the name of the queue wait timer. Default {@value MeterNames#TASK_QUEUE_WAIT}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder taskQueueWait(String value) {
      taskQueueWait = name(value, "taskQueueWait");
      return this;
    }

    /**
     * Sets the name of the gauge of queued tasks. Default {@value MeterNames#TASKS_QUEUED}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksQueued(String value) {
      tasksQueued = name(value, "tasksQueued");
      return this;
    }

    /**
     * Sets the name of the gauge of running tasks. Default {@value MeterNames#TASKS_RUNNING}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksRunning(String value) {
      tasksRunning = name(value, "tasksRunning");
      return this;
    }

    /**
     * Sets the name of the gauge of tasks waiting for a retry. Default
     * {@value MeterNames#TASKS_RETRY_WAITING}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder tasksRetryWaiting(String value) {
      tasksRetryWaiting = name(value, "tasksRetryWaiting");
      return this;
    }

    /**
     * Sets the name of the counter of ended attempts. Default {@value MeterNames#ATTEMPTS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder attempts(String value) {
      attempts = name(value, "attempts");
      return this;
    }

    /**
     * Sets the name of the counter of retries. Default {@value MeterNames#RETRIES}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder retries(String value) {
      retries = name(value, "retries");
      return this;
    }

    /**
     * Sets the name of the counter of timeouts. Default {@value MeterNames#TIMEOUTS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder timeouts(String value) {
      timeouts = name(value, "timeouts");
      return this;
    }

    /**
     * Sets the name of the counter of failovers. Default {@value MeterNames#FAILOVERS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder failovers(String value) {
      failovers = name(value, "failovers");
      return this;
    }

    /**
     * Sets the name of the counter of hedged attempts. Default {@value MeterNames#HEDGES}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder hedges(String value) {
      hedges = name(value, "hedges");
      return this;
    }

    /**
     * Sets the name of the gauge of agents by state. Default {@value MeterNames#AGENTS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agents(String value) {
      agents = name(value, "agents");
      return this;
    }

    /**
     * Sets the name of the gauge of an agent's attempts in flight. Default
     * {@value MeterNames#AGENT_IN_FLIGHT}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agentInFlight(String value) {
      agentInFlight = name(value, "agentInFlight");
      return this;
    }

    /**
     * Sets the name of the gauge of an agent's capacity. Default {@value MeterNames#AGENT_CAPACITY}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agentCapacity(String value) {
      agentCapacity = name(value, "agentCapacity");
      return this;
    }

    /**
     * Sets the name of the gauge of an agent's utilization. Default
     * {@value MeterNames#AGENT_UTILIZATION}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agentUtilization(String value) {
      agentUtilization = name(value, "agentUtilization");
      return this;
    }

    /**
     * Sets the name of the gauge of an agent's state. Default {@value MeterNames#AGENT_STATE}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agentState(String value) {
      agentState = name(value, "agentState");
      return this;
    }

    /**
     * Sets the name of the function counter of attempts per agent. Default
     * {@value MeterNames#AGENT_ATTEMPTS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder agentAttempts(String value) {
      agentAttempts = name(value, "agentAttempts");
      return this;
    }

    /**
     * Sets the name of the counter of health checks. Default {@value MeterNames#HEALTH_CHECKS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder healthChecks(String value) {
      healthChecks = name(value, "healthChecks");
      return this;
    }

    /**
     * Sets the name of the counter of health transitions. Default
     * {@value MeterNames#HEALTH_TRANSITIONS}.
     *
     * @param value a non-blank meter name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder healthTransitions(String value) {
      healthTransitions = name(value, "healthTransitions");
      return this;
    }

    /**
     * Builds the names; the builder is left unchanged and may build again.
     *
     * @return the names
     * @throws IllegalStateException if two meters share a name
     */
    public MeterNames build() {
      return new MeterNames(tasksSubmitted, tasksRejected, tasksCompleted, taskDuration,
          taskQueueWait, tasksQueued, tasksRunning, tasksRetryWaiting, attempts, retries, timeouts,
          failovers, hedges, agents, agentInFlight, agentCapacity, agentUtilization, agentState,
          agentAttempts, healthChecks, healthTransitions);
    }
  }
}
