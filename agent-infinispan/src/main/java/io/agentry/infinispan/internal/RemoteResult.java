package io.agentry.infinispan.internal;

import org.infinispan.protostream.annotations.Proto;

/**
 * What the hosting member answers to a {@link RemoteCall}: a status, the encoded result, or a
 * description of the failure (never a serialized exception, so nothing but this record is decoded).
 *
 * @param status one of the {@code int} constants below
 * @param value the result encoded by the handler's result codec (status {@link #OK})
 * @param errorType the class name of the failure
 * @param message the failure's message
 * @param stack the failure's stack, one frame per line ({@code class|method|file|line})
 */
@Proto
public record RemoteResult(int status, byte[] value, String errorType, String message, String stack) {
  /** The handler returned; {@code value} holds the result. */
  public static final int OK = 0;
  /** The handler threw. */
  public static final int FAILED = 1;
  /** The member has no handler of that name. */
  public static final int UNKNOWN_HANDLER = 2;
  /** A codec refused the payload (for example a class outside the allowlist). */
  public static final int REJECTED = 3;
  /** The agent's queue on the hosting member is full, or the wait for a slot there timed out. */
  public static final int BUSY = 4;
  /** The hosting member cannot run it at all (agent no longer offered, runtime closing). */
  public static final int LOST = 5;
  /** The attempt timeout or the deadline passed on the hosting member. */
  public static final int TIMED_OUT = 6;
  /** The attempt was cancelled on the member. */
  public static final int CANCELLED = 7;

  private static final byte[] NONE = new byte[0];

  /**
   * Makes a success.
   *
   * @param value the encoded result
   * @return the answer
   */
  public static RemoteResult ok(byte[] value) {
    return new RemoteResult(OK, value, "", "", "");
  }

  /**
   * Makes an answer without a value.
   *
   * @param status the status
   * @param message what happened
   * @return the answer
   */
  public static RemoteResult of(int status, String message) {
    return new RemoteResult(status, NONE, "", message, "");
  }

  /**
   * Describes what a handler threw.
   *
   * @param failure the exception
   * @return the answer, status {@link #FAILED}
   */
  public static RemoteResult failed(Throwable failure) {
    StringBuilder stack = new StringBuilder();
    for (StackTraceElement e : failure.getStackTrace()) {
      stack.append(e.getClassName()).append('|').append(e.getMethodName()).append('|')
          .append(e.getFileName() == null ? "" : e.getFileName()).append('|')
          .append(e.getLineNumber()).append('\n');
    }
    String message = failure.getMessage();
    return new RemoteResult(FAILED, NONE, failure.getClass().getName(),
        message == null ? "" : message, stack.toString());
  }

  /**
   * Rebuilds the failure's stack frames.
   *
   * @return the frames, possibly none
   */
  public StackTraceElement[] stackTrace() {
    if (stack.isEmpty()) {
      return new StackTraceElement[0];
    }
    String[] lines = stack.split("\n");
    StackTraceElement[] frames = new StackTraceElement[lines.length];
    for (int i = 0; i < lines.length; i++) {
      String[] p = lines[i].split("\\|", -1);
      int line;
      try {
        line = p.length > 3 ? Integer.parseInt(p[3]) : -1;
      } catch (NumberFormatException e) {
        line = -1;
      }
      frames[i] = new StackTraceElement(p[0], p.length > 1 ? p[1] : "?",
          p.length > 2 && !p[2].isEmpty() ? p[2] : null, line);
    }
    return frames;
  }
}
