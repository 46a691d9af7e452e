package io.agentry.infinispan;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** Java serialization behind an allowlist, checked when encoding and when decoding. */
final class SerializationCodec<T> implements Codec<T> {
  /** Value types of the JDK that every allowlist holds. */
  private static final List<Class<?>> ALWAYS = List.of(
      String.class, Boolean.class, Byte.class, Short.class, Character.class, Integer.class,
      Long.class, Float.class, Double.class, Number.class, Enum.class);
  private static final long MAX_DEPTH = 64;
  private static final long MAX_REFERENCES = 1_000_000;
  private static final long MAX_ARRAY_LENGTH = 16_000_000;

  private final Class<T> type;
  private final Set<Class<?>> allowed;

  SerializationCodec(Class<T> type, Set<Class<?>> listed) {
    for (Class<?> c : listed) {
      if (c == null) {
        throw new NullPointerException("alsoAllowed holds null");
      }
      if (!c.isPrimitive() && !c.isArray() && !c.isInterface() && !Serializable.class.isAssignableFrom(c)) {
        throw new IllegalArgumentException("allowlist class " + c.getName() + " is not Serializable");
      }
    }
    this.type = type;
    java.util.LinkedHashSet<Class<?>> all = new java.util.LinkedHashSet<>(listed);
    all.addAll(ALWAYS);
    this.allowed = Set.copyOf(all);
  }

  private boolean isAllowed(Class<?> c) {
    // An array only holds references; its elements are checked one by one (and its length is
    // bounded), so arrays of any type are allowed, as collections' own Object[] need.
    return c.isArray() || c.isPrimitive() || allowed.contains(c)
        || (c.getSuperclass() != null && c.getSuperclass().isEnum() && allowed.contains(c.getSuperclass()));
  }

  @Override
  public byte[] encode(T value) {
    if (value == null) {
      throw new CodecException(this + " cannot encode null");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicReference<@Nullable String> rejected = new AtomicReference<>();
    try (CheckingOutput out = new CheckingOutput(bytes, rejected)) {
      out.writeObject(value);
    } catch (IOException e) {
      String name = rejected.get();
      if (name != null) {
        throw new CodecException(this + " refuses to encode class " + name
            + ": it is not in the allowlist " + names(), e);
      }
      throw new CodecException(this + " could not encode a " + value.getClass().getName(), e);
    }
    return bytes.toByteArray();
  }

  @Override
  public T decode(byte[] bytes) {
    AtomicReference<@Nullable String> rejected = new AtomicReference<>();
    ObjectInputFilter filter = info -> {
      if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES
          || info.arrayLength() > MAX_ARRAY_LENGTH) {
        rejected.set("(an object graph deeper than " + MAX_DEPTH + ", larger than "
            + MAX_REFERENCES + " references or with an array longer than " + MAX_ARRAY_LENGTH + ")");
        return ObjectInputFilter.Status.REJECTED;
      }
      Class<?> c = info.serialClass();
      if (c == null) {
        return ObjectInputFilter.Status.UNDECIDED;
      }
      if (isAllowed(c)) {
        return ObjectInputFilter.Status.ALLOWED;
      }
      rejected.set(c.getName());
      return ObjectInputFilter.Status.REJECTED;
    };
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(filter);
      Object value = in.readObject();
      if (!type.isInstance(value)) {
        throw new CodecException(this + " decoded a " + value.getClass().getName() + ", not a "
            + type.getName());
      }
      return type.cast(value);
    } catch (InvalidClassException e) {
      String name = rejected.get();
      if (name != null) {
        throw new CodecException(this + " refuses to decode class " + name
            + ": it is not in the allowlist " + names(), e);
      }
      throw new CodecException(this + " could not decode its bytes", e);
    } catch (IOException | ClassNotFoundException e) {
      throw new CodecException(this + " could not decode its bytes", e);
    }
  }

  private String names() {
    return allowed.stream().map(Class::getName).sorted().toList().toString();
  }

  @Override
  public String toString() {
    return "Codec.serialized(" + type.getName() + ")";
  }

  /** Thrown inside the stream when an object of a class outside the allowlist is written. */
  private static final class RejectedClass extends IOException {
    private static final long serialVersionUID = 1L;

    RejectedClass(String className) {
      super(className);
    }
  }

  /** Checks the class of every object (and class descriptor) written. */
  private final class CheckingOutput extends ObjectOutputStream {
    private final AtomicReference<@Nullable String> rejected;

    CheckingOutput(OutputStream out, AtomicReference<@Nullable String> rejected) throws IOException {
      super(out);
      this.rejected = rejected;
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) throws IOException {
      // After a refusal the stream writes the exception itself: let that through.
      if (obj instanceof ObjectStreamClass || rejected.get() != null) {
        return obj;
      }
      // The decoding side sees every serializable superclass too, so check them here the same way.
      for (Class<?> c = obj.getClass(); c != null && Serializable.class.isAssignableFrom(c);
          c = c.getSuperclass()) {
        if (!isAllowed(c)) {
          rejected.set(c.getName());
          throw new RejectedClass(c.getName());
        }
      }
      return obj;
    }
  }
}
