package io.agentry.infinispan;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The named handlers a member can run. Every member registers the same handlers, with the same
 * codecs, before it joins the cluster; a member runs only what it registered, and a remote task
 * naming a handler its host does not know fails at once with {@link UnknownHandlerException}.
 *
 * <pre>{@code
 * Handlers handlers = Handlers.create();
 * NamedHandler<String, String> upper =
 *     handlers.register("upper", Codec.utf8(), (payload, ctx) -> payload.toUpperCase(Locale.ROOT));
 * Task<String> task = RemoteTasks.call(upper, "hello");
 * }</pre>
 *
 * <p>Thread-safe: handlers may be registered at any time, though registering them all before the
 * member joins avoids {@link UnknownHandlerException}s from early tasks.
 */
public final class Handlers {
  private final ConcurrentMap<String, NamedHandler<?, ?>> byName = new ConcurrentHashMap<>();

  private Handlers() {}

  /**
   * Creates an empty registry.
   *
   * @return a new registry
   */
  public static Handlers create() {
    return new Handlers();
  }

  /**
   * Registers a handler whose payload and result have the same type and codec.
   *
   * @param name the name, unique in this registry and the same on every member; not blank
   * @param codec the codec of the payload and of the result
   * @param handler the body
   * @param <T> the payload and result type
   * @return the registered handler, for {@link RemoteTasks}
   * @throws IllegalArgumentException if the name is blank or already registered
   * @throws NullPointerException if an argument is null
   */
  public <T extends @Nullable Object> NamedHandler<T, T> register(
      String name, Codec<T> codec, Handler<T, T> handler) {
    return register(name, codec, codec, handler);
  }

  /**
   * Registers a handler.
   *
   * @param name the name, unique in this registry and the same on every member; not blank
   * @param payloadCodec the codec of the payload
   * @param resultCodec the codec of the result
   * @param handler the body
   * @param <P> the payload type
   * @param <R> the result type
   * @return the registered handler, for {@link RemoteTasks}
   * @throws IllegalArgumentException if the name is blank or already registered
   * @throws NullPointerException if an argument is null
   */
  public <P extends @Nullable Object, R extends @Nullable Object> NamedHandler<P, R> register(
      String name, Codec<P> payloadCodec, Codec<R> resultCodec, Handler<P, R> handler) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("handler name must not be blank, was '" + name + "'");
    }
    NamedHandler<P, R> named = new NamedHandler<>(name, payloadCodec, resultCodec, handler);
    if (byName.putIfAbsent(name, named) != null) {
      throw new IllegalArgumentException("a handler named '" + name + "' is already registered");
    }
    return named;
  }

  /**
   * Finds a handler by name.
   *
   * @param name the name
   * @return the handler, or empty if none has that name
   * @throws NullPointerException if the name is null
   */
  public Optional<NamedHandler<?, ?>> find(String name) {
    return Optional.ofNullable(byName.get(Objects.requireNonNull(name, "name")));
  }

  /**
   * Returns the names of the registered handlers.
   *
   * @return an immutable copy
   */
  public Set<String> names() {
    return Set.copyOf(byName.keySet());
  }

  @Override
  public String toString() {
    return "Handlers" + new java.util.TreeSet<>(byName.keySet());
  }
}
