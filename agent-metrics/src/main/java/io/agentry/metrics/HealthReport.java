package io.agentry.metrics;

import io.agentry.core.AgentState;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An immutable report of the agents a {@link HealthMonitor} watches, for a readiness or health
 * endpoint.
 *
 * <pre>{@code
 * HealthReport report = monitor.health();
 * int status = report.isReady() ? 200 : 503;
 * }</pre>
 *
 * @param runtime the runtime's name
 * @param at when the report was made
 * @param agents one entry per watched agent, in registration order
 */
public record HealthReport(String runtime, Instant at, List<AgentHealth> agents) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public HealthReport {
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(at, "at");
    agents = List.copyOf(agents);
  }

  /**
   * Tells whether the runtime can take work: some watched agent is {@link AgentState#UP} and not
   * {@link HealthStatus#UNHEALTHY}.
   *
   * @return {@code true} when at least one such agent exists
   */
  public boolean isReady() {
    for (AgentHealth a : agents) {
      if (a.state() == AgentState.UP && a.status() != HealthStatus.UNHEALTHY) {
        return true;
      }
    }
    return false;
  }

  /**
   * Finds an agent's entry.
   *
   * @param agentId the agent id
   * @return the entry, or empty if the agent is not watched
   */
  public Optional<AgentHealth> agent(String agentId) {
    return agents.stream().filter(a -> a.agentId().equals(agentId)).findFirst();
  }

  /**
   * The health of one agent.
   *
   * @param agentId the agent id
   * @param state its state in the runtime when the report was made
   * @param status its health as the monitor judges it
   * @param consecutiveFailures failed checks in a row, up to the last one
   * @param consecutiveSuccesses passed checks in a row, up to the last one
   * @param lastCheckedAt when it was last checked, or null before its first check
   * @param lastResult the result of its last check, or null before its first check
   */
  public record AgentHealth(
      String agentId, AgentState state, HealthStatus status, int consecutiveFailures,
      int consecutiveSuccesses, @Nullable Instant lastCheckedAt,
      HealthCheck.@Nullable Result lastResult) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a required component is null
     */
    public AgentHealth {
      Objects.requireNonNull(agentId, "agentId");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(status, "status");
    }

    /**
     * Returns the result of the last check.
     *
     * @return the result, or empty before the first check
     */
    public Optional<HealthCheck.Result> lastCheck() {
      return Optional.ofNullable(lastResult);
    }
  }
}
