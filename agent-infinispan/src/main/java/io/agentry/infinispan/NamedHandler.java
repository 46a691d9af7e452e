package io.agentry.infinispan;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A handler registered in a {@link Handlers} registry: its name, its codecs and its body. Pass it to
 * {@link RemoteTasks} to make tasks that run it on any member. Immutable and thread-safe.
 *
 * @param <P> the payload type
 * @param <R> the result type
 */
public final class NamedHandler<P extends @Nullable Object, R extends @Nullable Object> {
  private final String name;
  private final Codec<P> payloadCodec;
  private final Codec<R> resultCodec;
  private final Handler<P, R> handler;

  NamedHandler(String name, Codec<P> payloadCodec, Codec<R> resultCodec, Handler<P, R> handler) {
    this.name = name;
    this.payloadCodec = Objects.requireNonNull(payloadCodec, "payloadCodec");
    this.resultCodec = Objects.requireNonNull(resultCodec, "resultCodec");
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Returns the handler's name, the same on every member.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the codec of the payload.
   *
   * @return the payload codec
   */
  public Codec<P> payloadCodec() {
    return payloadCodec;
  }

  /**
   * Returns the codec of the result.
   *
   * @return the result codec
   */
  public Codec<R> resultCodec() {
    return resultCodec;
  }

  Handler<P, R> body() {
    return handler;
  }

  /** Decodes a payload, runs the body and returns its result (not encoded). */
  R run(byte[] payload, HandlerContext context) throws Exception {
    return handler.handle(payloadCodec.decode(payload), context);
  }

  @Override
  public String toString() {
    return "NamedHandler[" + name + ", payload " + payloadCodec + ", result " + resultCodec + "]";
  }
}
