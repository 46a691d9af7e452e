package io.agentry.core.graph;

/** How one node of a graph ended. */
public enum NodeStatus {
  /** Its task succeeded. */
  SUCCEEDED,
  /** Its task failed or timed out. */
  FAILED,
  /** It did not run because of an upstream failure ({@link FailurePolicy#FAIL_FAST} or {@link FailurePolicy#SKIP_DEPENDENTS}). */
  SKIPPED,
  /** It was cancelled, running or not yet started (the graph was cancelled or the runtime closed). */
  CANCELLED
}
