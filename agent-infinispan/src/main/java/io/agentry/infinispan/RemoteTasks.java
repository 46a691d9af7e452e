package io.agentry.infinispan;

import io.agentry.core.Task;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes tasks that run a {@link NamedHandler} on any agent of the cluster: on a local agent the
 * handler of this JVM runs; on a remote agent the handler name and the encoded payload travel to the
 * member that hosts it. Only such tasks go to remote agents; other tasks (lambdas) run on local
 * agents only.
 *
 * <pre>{@code
 * TaskHandle<String> h = runtime.submit(RemoteTasks.call(upper, "hello"));
 * TaskHandle<String> k = runtime.submit(RemoteTasks.builder(upper, "again")
 *     .idempotencyKey("order-42").attemptTimeout(Duration.ofSeconds(5)).build());
 * }</pre>
 *
 * <p>The payload is encoded at once, so a payload the codec refuses (a class outside the allowlist)
 * fails here, before anything is submitted.
 */
public final class RemoteTasks {
  private RemoteTasks() {}

  /**
   * Makes a task, named after the handler, that runs it with the payload.
   *
   * @param handler the registered handler
   * @param payload the payload
   * @param <P> the payload type
   * @param <R> the result type
   * @return the task
   * @throws CodecException if the payload codec refuses the payload
   * @throws NullPointerException if the handler is null
   */
  public static <P extends @Nullable Object, R extends @Nullable Object> Task<R> call(
      NamedHandler<P, R> handler, P payload) {
    return builder(handler, payload).build();
  }

  /**
   * Starts a task builder, for a task named after the handler that runs it with the payload; set
   * timeouts, tags, an idempotency key and the rest on it.
   *
   * @param handler the registered handler
   * @param payload the payload
   * @param <P> the payload type
   * @param <R> the result type
   * @return the builder
   * @throws CodecException if the payload codec refuses the payload
   * @throws NullPointerException if the handler is null
   */
  public static <P extends @Nullable Object, R extends @Nullable Object> Task.Builder<R> builder(
      NamedHandler<P, R> handler, P payload) {
    Objects.requireNonNull(handler, "handler");
    byte[] bytes = handler.payloadCodec().encode(payload);
    return Task.builder(handler.name(), new HandlerCall<>(handler, bytes));
  }
}
