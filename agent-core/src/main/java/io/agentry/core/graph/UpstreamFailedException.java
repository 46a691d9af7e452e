package io.agentry.core.graph;

/**
 * Thrown by {@link io.agentry.core.TaskContext#resultOf(NodeRef)} when the upstream node did not
 * succeed (possible under {@link FailurePolicy#CONTINUE_ALL}). The cause is the upstream's failure.
 */
public class UpstreamFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The id of the upstream node that did not succeed. */
  private final String upstream;

  /**
   * Creates the exception.
   *
   * @param upstream the id of the upstream node
   * @param cause its failure
   */
  public UpstreamFailedException(String upstream, Throwable cause) {
    super("upstream node '" + upstream + "' did not succeed: " + cause, cause);
    this.upstream = upstream;
  }

  /**
   * Returns the id of the upstream node that did not succeed.
   *
   * @return the node id
   */
  public String upstream() {
    return upstream;
  }
}
