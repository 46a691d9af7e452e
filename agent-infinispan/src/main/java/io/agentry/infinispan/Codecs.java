package io.agentry.infinispan;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Objects;

/** The built-in codecs for bytes and strings. */
final class Codecs {
  static final Codec<byte[]> BYTES = new Codec<>() {
    @Override
    public byte[] encode(byte[] value) {
      return Objects.requireNonNull(value, "value");
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }

    @Override
    public String toString() {
      return "Codec.bytes()";
    }
  };

  static final Codec<String> UTF8 = new Codec<>() {
    @Override
    public byte[] encode(String value) {
      if (value == null) {
        throw new CodecException("Codec.utf8() cannot encode null");
      }
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new CodecException("Codec.utf8() got " + bytes.length + " bytes that are not UTF-8", e);
      }
    }

    @Override
    public String toString() {
      return "Codec.utf8()";
    }
  };

  private Codecs() {}
}
