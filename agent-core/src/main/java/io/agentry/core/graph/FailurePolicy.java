package io.agentry.core.graph;

/** What a graph does when one of its nodes fails (fails, times out or is cancelled). */
public enum FailurePolicy {
  /** Cancel the running nodes and skip every node not yet started; the graph fails at once. */
  FAIL_FAST,
  /** Skip the nodes that depend, directly or not, on the failed node; independent branches go on. */
  SKIP_DEPENDENTS,
  /**
   * Run every node anyway; a node reading a failed upstream's result through
   * {@link io.agentry.core.TaskContext#resultOf(NodeRef)} gets an {@link UpstreamFailedException}.
   */
  CONTINUE_ALL
}
