package io.agentry.core;

/**
 * An attempt ended because its agent went away while it ran: the agent was removed, or (in cluster
 * mode) its member left or was suspected. The work may or may not have finished there. The default
 * policy retries such attempts on another agent.
 */
public class AgentLostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which agent was lost and why
   */
  public AgentLostException(String message) {
    super(message);
  }
}
