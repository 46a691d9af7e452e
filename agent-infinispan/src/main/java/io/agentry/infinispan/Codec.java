package io.agentry.infinispan;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns a handler's payload or result into bytes and back, so that it can travel between members.
 * Every member registers the same codecs for a handler (see {@link Handlers}).
 *
 * <p>The module ships three: {@link #bytes()}, {@link #utf8()} and {@link #serialized(Class, Class[])}
 * (Java serialization behind an allowlist). There is no JSON codec: Infinispan brings only
 * {@code jackson-core} (the streaming parser, no object mapper), so a JSON codec would add a
 * dependency; writing one over your own JSON library takes a few lines (see {@code docs/cluster.md}).
 *
 * <p>Implementations must be thread-safe and should be fast: results are decoded on Infinispan's
 * non-blocking threads. A codec that cannot encode or decode a value throws {@link CodecException},
 * which fails the task at once (it is not retried by the default policy).
 *
 * @param <T> the type of the values
 */
public interface Codec<T extends @Nullable Object> {

  /**
   * Encodes a value.
   *
   * @param value the value
   * @return its bytes
   * @throws CodecException if the value cannot be encoded
   */
  byte[] encode(T value);

  /**
   * Decodes a value.
   *
   * @param bytes bytes made by {@link #encode} on some member
   * @return the value
   * @throws CodecException if the bytes cannot be decoded, or hold a class the codec refuses
   */
  T decode(byte[] bytes);

  /**
   * Returns the codec for raw bytes: the payload travels as it is (no copy is made).
   *
   * @return the bytes codec
   */
  static Codec<byte[]> bytes() {
    return Codecs.BYTES;
  }

  /**
   * Returns the codec for strings, encoded in UTF-8. A null string is refused.
   *
   * @return the string codec
   */
  static Codec<String> utf8() {
    return Codecs.UTF8;
  }

  /**
   * Returns a Java-serialization codec that accepts only an allowlist of classes, on both sides:
   * encoding refuses an object graph holding any other class, and decoding refuses a stream naming
   * one before it creates any object (an {@link java.io.ObjectInputFilter}). The allowlist always
   * holds {@code type}, the {@code alsoAllowed} classes and the JDK's value types that need no
   * mention ({@code String}, the boxed primitives, {@code Number}, {@code Enum}); arrays are allowed
   * (each element is checked; lengths, depth and references are bounded). Subclasses are
   * <em>not</em> allowed implicitly: list every concrete class that travels (for example
   * {@code java.util.ArrayList}, and the serializable superclasses of your classes). There is no
   * switch that turns the allowlist off; write your own {@code Codec} if you must.
   *
   * @param type the type of the values
   * @param alsoAllowed other classes that may appear in the object graph
   * @param <T> the type of the values
   * @return the codec
   * @throws IllegalArgumentException if {@code type} or one of {@code alsoAllowed} is neither
   *     {@link java.io.Serializable} nor an interface, nor a primitive or array
   * @throws NullPointerException if an argument is null
   */
  static <T> Codec<T> serialized(Class<T> type, Class<?>... alsoAllowed) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(alsoAllowed, "alsoAllowed");
    Set<Class<?>> allowed = new LinkedHashSet<>();
    allowed.add(type);
    allowed.addAll(Arrays.asList(alsoAllowed));
    return new SerializationCodec<>(type, allowed);
  }
}
