package io.agentry.infinispan;

import io.agentry.core.AgentLostException;

/**
 * The member that hosts an agent refused an attempt because the agent is full: its own queue of
 * remote attempts is at its limit, or the attempt waited there longer than the host allows. An agent
 * serves every member, so another member's runtime may have filled it.
 *
 * <p>It extends {@link AgentLostException} so that the default policy and agent-resilience's policy
 * treat it as they treat a lost agent: retried at once on another agent (failover). The work did not
 * start.
 */
public class RemoteAgentBusyException extends AgentLostException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which agent and why
   */
  public RemoteAgentBusyException(String message) {
    super(message);
  }
}
