package org.syncbus.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one JSON mapper of the queue model, set up so that record values survive exactly: integers
 * of any size stay integers, decimals keep their digits ({@code 1.10} is not rewritten as
 * {@code 1.1}), strings and nesting are untouched. Only spacing may differ from what a publisher
 * sent (PROTOCOL.md).
 */
public final class Json {
  /**
   * Longest number literal accepted: far beyond any real key, and what Vert.x's own JSON accepts
   * (so every batch can also go out on the event bus).
   */
  static final int MAX_NUMBER_LENGTH = 1_000;

  /**
   * Deepest nesting of a batch (arrays and objects, the batch's own array included): well under
   * Vert.x's 1,000, so the wrappers a batch gets on the event bus and in bridge frames
   * ({@code {"body":{"batch":[…]}}}) still fit everywhere it is decoded.
   */
  static final int MAX_DEPTH = 512;

  public static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .maxNestingDepth(MAX_DEPTH)
                          .maxStringLength(Integer.MAX_VALUE)
                          .build())
                  .build())
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final byte[] UPDATE_PREFIX = "{\"type\":\"update\",\"data\":".getBytes();
  private static final byte[] DELETE_PREFIX = "{\"type\":\"delete\",\"data\":".getBytes();

  private Json() {}

  /**
   * Loads and initialises the JSON machinery: call it off the event loop before serving, so the
   * first batch does not pay for class loading on an event loop.
   */
  public static void warmUp() {
    try {
      Update update = Batches.parse("[{\"type\":\"update\",\"data\":{\"k\":1,\"v\":[1.5,\"s\",null,true]}}]", "k").get(0);
      element(update);
      encode(update.data());
    } catch (InvalidBatchException e) {
      throw new IllegalStateException("the JSON warm-up batch is valid", e);
    }
  }

  /** Parses JSON text; the message of the exception says where the text went wrong. */
  public static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /** JSON text of a value, compact. */
  public static String encode(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The UTF-8 bytes of one update as it appears in a batch line or a snapshot. */
  public static byte[] element(Update update) {
    try {
      byte[] data = MAPPER.writeValueAsBytes(update.data());
      byte[] prefix = update.isDelete() ? DELETE_PREFIX : UPDATE_PREFIX;
      byte[] element = new byte[prefix.length + data.length + 1];
      System.arraycopy(prefix, 0, element, 0, prefix.length);
      System.arraycopy(data, 0, element, prefix.length, data.length);
      element[element.length - 1] = '}';
      return element;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The encoded element of each update, in order. */
  public static List<byte[]> elements(List<Update> updates) {
    List<byte[]> elements = new java.util.ArrayList<>(updates.size());
    for (Update update : updates) {
      elements.add(element(update));
    }
    return elements;
  }

  /** A JSON array of already encoded elements, {@code [e1,e2,…]}, without a line end. */
  public static byte[] array(List<byte[]> elements) {
    int size = 2 + Math.max(0, elements.size() - 1);
    for (byte[] element : elements) {
      size += element.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(elements.get(i));
    }
    out.write(']');
    return out.toByteArray();
  }
}
