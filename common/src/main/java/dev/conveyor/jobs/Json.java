package dev.conveyor.jobs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The one JSON codec: strict parsing (64 levels, no trailing data, no duplicate keys) and compact output. */
public final class Json {
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /**
   * Reads back what Conveyor stored (PostgreSQL, Redis): no request limits, since PostgreSQL writes numbers out in full
   * (1e1000 comes back as 1001 digits) and results are not requests; only Jackson's own nesting bound remains.
   */
  private static final ObjectMapper STORED = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNumberLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
      .build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

  private Json() {
  }

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /**
   * Parses UTF-8 bytes; throws an {@link IOException} on anything that is not one JSON value in UTF-8 (other
   * encodings included, which the parser alone would detect and accept).
   */
  public static JsonNode parse(byte[] utf8) throws IOException {
    String text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(utf8))
        .toString();
    try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
      JsonNode node = MAPPER.readTree(parser);
      if (node == null) {
        throw new IOException("empty body");
      }
      return node;
    }
  }

  public static JsonNode parse(String text) {
    try {
      return parse(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses JSON that Conveyor itself stored. */
  public static JsonNode parseStored(String text) {
    try {
      return STORED.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a value that must be read back later (a result): fails if it could not be, e.g. nested too deep. */
  public static String writeStorable(JsonNode node) {
    String text = write(node);
    parseStored(text);
    return text;
  }

  /** The same text for equal JSON values, whatever the order of their object members. */
  public static String canonical(JsonNode node) {
    try {
      return CANONICAL.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
