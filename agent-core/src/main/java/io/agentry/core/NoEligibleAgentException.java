package io.agentry.core;

/**
 * A task waited until its queue timeout or deadline because no registered agent could run it: none
 * was UP, or none had the required tags or enough of a resource. The message names what the task
 * required.
 */
public class NoEligibleAgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what the task required and why no agent qualified
   */
  public NoEligibleAgentException(String message) {
    super(message);
  }
}
