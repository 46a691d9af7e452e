package io.agentry.infinispan;

import org.jspecify.annotations.Nullable;

/**
 * The body of a named handler: what a member runs for a remote task. Register it on every member
 * with {@link Handlers#register}; members run only what they registered.
 *
 * <pre>{@code
 * Handler<String, String> upper = (payload, ctx) -> payload.toUpperCase(Locale.ROOT);
 * }</pre>
 *
 * <p>A handler may run more than once for one task (dispatch is at-least-once, see
 * {@code docs/cluster.md}): make it idempotent, for example by keying its side effects on
 * {@link HandlerContext#idempotencyKey()}. It should react to interrupts, which is how the hosting
 * member stops it when the attempt times out or is cancelled.
 *
 * @param <P> the payload type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Handler<P extends @Nullable Object, R extends @Nullable Object> {

  /**
   * Runs the handler.
   *
   * @param payload the decoded payload
   * @param context the attempt's context
   * @return the result, encoded by the handler's result codec
   * @throws Exception anything; the attempt fails with it (on another member, as a
   *     {@link RemoteTaskException} that names its class)
   */
  R handle(P payload, HandlerContext context) throws Exception;
}
