package io.agentry.infinispan;

/**
 * A payload or result could not be encoded or decoded: for example, it holds a class outside a
 * {@link Codec#serialized(Class, Class[]) serialization codec}'s allowlist. The task fails at once with
 * this cause; the default policy does not retry it, since another member would refuse it too.
 */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what could not be encoded or decoded, and why
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what could not be encoded or decoded, and why
   * @param cause the underlying failure
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
