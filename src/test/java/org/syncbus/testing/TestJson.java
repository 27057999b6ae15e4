package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * JSON as the tests compare it: parsed exactly (integers of any size stay integers, decimals keep
 * their digits), so that equal trees mean equal values and only spacing may have differed. The
 * tests' own mapper, so a mistake in the server's cannot hide itself.
 */
public final class TestJson {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private TestJson() {}

  public static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not valid JSON: " + text, e);
    }
  }

  /** Asserts {@code actual} is the same JSON value as {@code expected}, whatever the spacing. */
  public static void assertJsonEquals(String expected, String actual) {
    assertEquals(parse(expected), parse(actual), () -> "expected JSON " + expected + "\nbut got " + actual);
  }
}
