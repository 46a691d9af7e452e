package io.agentry.infinispan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {
  record Point(int x, int y) implements Serializable {}

  record Shape(String name, List<Point> points) implements Serializable {}

  @Test
  void bytesAndStringsRoundTrip() {
    byte[] raw = {1, 2, 3};
    assertThat(Codec.bytes().decode(Codec.bytes().encode(raw))).isEqualTo(raw);
    assertThat(Codec.utf8().decode(Codec.utf8().encode("grüße"))).isEqualTo("grüße");
  }

  @Test
  void utf8RefusesBytesThatAreNotUtf8() {
    assertThatThrownBy(() -> Codec.utf8().decode(new byte[] {(byte) 0xC3, (byte) 0x28}))
        .isInstanceOf(CodecException.class).hasMessageContaining("not UTF-8");
  }

  @Test
  void serializationRoundTripsAllowedClasses() {
    Codec<Shape> codec = Codec.serialized(Shape.class, Point.class, ArrayList.class);
    Shape s = new Shape("tri", new ArrayList<>(List.of(new Point(1, 2), new Point(3, 4))));
    assertThat(codec.decode(codec.encode(s))).isEqualTo(s);
  }

  @Test
  void serializationRefusesToEncodeAClassOutsideTheAllowlist() {
    Codec<Shape> codec = Codec.serialized(Shape.class, ArrayList.class);
    Shape s = new Shape("tri", new ArrayList<>(List.of(new Point(1, 2))));
    assertThatThrownBy(() -> codec.encode(s)).isInstanceOf(CodecException.class)
        .hasMessageContaining("refuses to encode class " + Point.class.getName())
        .hasMessageContaining("not in the allowlist");
  }

  @Test
  void serializationRefusesToDecodeAClassOutsideTheAllowlistBeforeCreatingIt() {
    byte[] bytes = Codec.serialized(Shape.class, Point.class, ArrayList.class)
        .encode(new Shape("tri", new ArrayList<>(List.of(new Point(1, 2)))));
    Codec<Shape> strict = Codec.serialized(Shape.class, ArrayList.class);
    assertThatThrownBy(() -> strict.decode(bytes)).isInstanceOf(CodecException.class)
        .hasMessageContaining("refuses to decode class " + Point.class.getName());
  }

  @Test
  void serializationRefusesAnUnexpectedType() {
    byte[] bytes = Codec.serialized(String.class).encode("text");
    assertThatThrownBy(() -> Codec.serialized(Point.class, String.class).decode(bytes))
        .isInstanceOf(CodecException.class).hasMessageContaining("not a " + Point.class.getName());
  }

  @Test
  void serializationRefusesGarbage() {
    assertThatThrownBy(() -> Codec.serialized(Point.class).decode("nope".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class).hasMessageContaining("could not decode");
  }

  @Test
  void serializationAllowlistTakesOnlySerializableClasses() {
    assertThatThrownBy(() -> Codec.serialized(Thread.class)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allowlist class java.lang.Thread is not Serializable");
  }

  @Test
  void handlersRefuseDuplicateAndBlankNames() {
    Handlers h = Handlers.create();
    h.register("a", Codec.utf8(), (p, c) -> p);
    assertThatThrownBy(() -> h.register("a", Codec.utf8(), (p, c) -> p))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' is already registered");
    assertThatThrownBy(() -> h.register(" ", Codec.utf8(), (p, c) -> p))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be blank");
    assertThat(h.names()).containsExactly("a");
  }

  @Test
  void aRemoteTaskRunsItsHandlerOnALocalAgent() {
    Handlers h = Handlers.create();
    NamedHandler<String, Integer> length =
        h.register("length", Codec.utf8(), Codec.serialized(Integer.class), (p, c) -> p.length());
    try (io.agentry.core.AgentRuntime runtime = io.agentry.core.AgentRuntime.builder()
        .agent(io.agentry.core.Agent.local("local")).build()) {
      assertThat(runtime.submit(RemoteTasks.call(length, "four")).join()).isEqualTo(4);
    }
  }
}
