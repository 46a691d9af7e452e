package io.agentry.metrics;

/** The health of an agent as a {@link HealthMonitor} judges it. */
public enum HealthStatus {
  /** Not checked yet. */
  UNKNOWN,
  /** Fewer consecutive failed checks than the failure threshold (or back above the success one). */
  HEALTHY,
  /** As many consecutive failed checks as the failure threshold, and not yet enough good ones. */
  UNHEALTHY
}
