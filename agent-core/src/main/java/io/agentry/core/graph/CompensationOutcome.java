package io.agentry.core.graph;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How the compensation of one node ended.
 *
 * @param nodeId the node whose effect was undone
 * @param failure why the compensation failed, or null when it succeeded
 */
public record CompensationOutcome(String nodeId, @Nullable Throwable failure) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the node id is null
   */
  public CompensationOutcome {
    Objects.requireNonNull(nodeId, "nodeId");
  }

  /**
   * Tells whether the compensation succeeded.
   *
   * @return {@code true} when it ran without failure
   */
  public boolean succeeded() {
    return failure == null;
  }

  /**
   * Returns the failure of the compensation.
   *
   * @return the failure, or empty when it succeeded
   */
  public Optional<Throwable> failureCause() {
    return Optional.ofNullable(failure);
  }
}
