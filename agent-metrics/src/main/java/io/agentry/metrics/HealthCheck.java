package io.agentry.metrics;

import io.agentry.core.RuntimeSnapshot.AgentSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One health check of one agent, run by a {@link HealthMonitor} on every agent it watches at each of
 * its rounds. A check returns a {@link Result}; one that throws counts as unhealthy, with the
 * exception as its message.
 *
 * <pre>{@code
 * HealthCheck pingsBack = ctx -> cluster.ping(ctx.agent().id())
 *     ? HealthCheck.Result.healthy()
 *     : HealthCheck.Result.unhealthy("no answer to ping");
 * }</pre>
 *
 * <p>Checks run on the monitor's timer, one after the other: they should be quick. A check that must
 * wait (a network call) should bound its wait well below the monitor's interval.
 */
@FunctionalInterface
public interface HealthCheck {

  /**
   * Checks one agent.
   *
   * @param context the agent and what the monitor knows of its attempts
   * @return the result
   * @throws Exception if the check cannot tell; the agent then counts as unhealthy
   */
  Result check(Context context) throws Exception;

  /**
   * Returns the check of stuck attempts: unhealthy when, since the previous round, the runtime gave up
   * an attempt on the agent because it stopped calling {@code heartbeat()} for longer than its task's
   * heartbeat timeout. The default check of a {@link HealthMonitor}.
   *
   * @return the check
   */
  static HealthCheck noHeartbeatTimeouts() {
    return context -> context.heartbeatTimeouts() == 0
        ? Result.healthy()
        : Result.unhealthy(context.heartbeatTimeouts()
            + " attempt(s) missed their heartbeat timeout since the last check");
  }

  /**
   * Returns a check that is unhealthy while an attempt has run on the agent for longer than a limit,
   * for tasks that set no heartbeat timeout. Attempts that started before the monitor did are not
   * seen.
   *
   * @param limit the longest an attempt may run, positive
   * @return the check
   * @throws IllegalArgumentException if the limit is not positive
   * @throws NullPointerException if the limit is null
   */
  static HealthCheck noAttemptRunningLongerThan(Duration limit) {
    Objects.requireNonNull(limit, "limit");
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return context -> context.longestRunningAttempt().compareTo(limit) <= 0
        ? Result.healthy()
        : Result.unhealthy("an attempt has run for " + context.longestRunningAttempt()
            + ", longer than " + limit);
  }

  /**
   * What a check is given about one agent.
   *
   * @param runtime the runtime's name
   * @param at when the round started, on the monitor's scheduler
   * @param agent the agent in the runtime's snapshot taken for this round
   * @param runningAttempts attempts on the agent that started and have not ended, as the monitor saw
   *     them in the runtime's events
   * @param longestRunningAttempt how long the oldest of those has run; zero when none
   * @param heartbeatTimeouts attempts on the agent given up for a missed heartbeat since the previous
   *     round
   */
  record Context(
      String runtime, Instant at, AgentSnapshot agent, int runningAttempts,
      Duration longestRunningAttempt, int heartbeatTimeouts) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if a count is negative
     */
    public Context {
      Objects.requireNonNull(runtime, "runtime");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(longestRunningAttempt, "longestRunningAttempt");
      if (runningAttempts < 0 || heartbeatTimeouts < 0) {
        throw new IllegalArgumentException("counts must not be negative: runningAttempts="
            + runningAttempts + ", heartbeatTimeouts=" + heartbeatTimeouts);
      }
    }
  }

  /**
   * The result of one check.
   *
   * @param passed whether the agent passed: healthy
   * @param message what was found; shown in the health report
   */
  record Result(boolean passed, String message) {
    private static final Result HEALTHY = new Result(true, "ok");

    /**
     * Checks the message.
     *
     * @throws NullPointerException if the message is null
     */
    public Result {
      Objects.requireNonNull(message, "message");
    }

    /**
     * Returns a passing result with the message {@code "ok"}.
     *
     * @return the result
     */
    public static Result healthy() {
      return HEALTHY;
    }

    /**
     * Returns a failing result.
     *
     * @param message what is wrong
     * @return the result
     * @throws NullPointerException if the message is null
     */
    public static Result unhealthy(String message) {
      return new Result(false, message);
    }
  }
}
