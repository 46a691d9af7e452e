package io.agentry.infinispan;

import java.util.Objects;

/**
 * A handler threw on another member. Exceptions are not deserialized between members: this one
 * carries the original's class name ({@link #remoteType()}), its message and its stack frames.
 */
public class RemoteTaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The class name of the exception the handler threw. */
  private final String remoteType;
  /** The member the handler ran on. */
  private final String member;

  /**
   * Creates the exception.
   *
   * @param remoteType the class name of the exception the handler threw
   * @param member the member it ran on
   * @param message the original message
   */
  public RemoteTaskException(String remoteType, String member, String message) {
    super(Objects.requireNonNull(remoteType, "remoteType") + " on member "
        + Objects.requireNonNull(member, "member") + ": " + message);
    this.remoteType = remoteType;
    this.member = member;
  }

  /**
   * Returns the class name of the exception the handler threw.
   *
   * @return the class name
   */
  public String remoteType() {
    return remoteType;
  }

  /**
   * Returns the name of the member the handler ran on.
   *
   * @return the member's name
   */
  public String member() {
    return member;
  }
}
