package io.agentry.core.graph;

import io.agentry.core.TaskOutcome;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one node ended.
 *
 * @param id the node id
 * @param status how it ended
 * @param result its result, when it succeeded
 * @param cause why it failed or was skipped or cancelled, when it did not succeed
 * @param task the outcome of its task (attempts, agents, timings), when it was submitted
 */
public record NodeOutcome(String id, NodeStatus status, @Nullable Object result,
    @Nullable Throwable cause, @Nullable TaskOutcome<?> task) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if the id or status is null
   */
  public NodeOutcome {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
  }

  /**
   * Returns the outcome of the node's task.
   *
   * @return the task outcome, or empty if the node was never submitted (skipped, or cancelled first)
   */
  public Optional<TaskOutcome<?>> taskOutcome() {
    return Optional.ofNullable(task);
  }

  /**
   * Returns how many attempts the node's task made.
   *
   * @return the attempts, 0 if it never started
   */
  public int attempts() {
    return task == null ? 0 : task.attempts();
  }
}
