package io.agentry.infinispan;

/**
 * The member that hosts an agent has no handler of the name a task asked for: the members do not
 * register the same handlers. The task fails at once with this cause (the default policy does not
 * retry it).
 */
public class UnknownHandlerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which handler and which member
   */
  public UnknownHandlerException(String message) {
    super(message);
  }
}
