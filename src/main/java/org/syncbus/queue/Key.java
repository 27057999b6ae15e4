package org.syncbus.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.Serializable;
import java.math.BigInteger;

/**
 * A record's primary key: a string or an integer of any size (PROTOCOL.md).
 *
 * <p>Integers are held as {@link BigInteger} whatever JSON node or Java number type carried them,
 * so {@code 1} is one key whether it arrived over HTTP or the event bus; a string and an integer
 * are never equal, so {@code 1} and {@code "1"} stay distinct keys. Serializable: a queue's
 * replicated history names records by key ({@link Deadline}).
 */
public final class Key implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Object value; // String or BigInteger, nothing else

  private Key(Object value) {
    this.value = value;
  }

  public static Key of(String value) {
    return new Key(value);
  }

  public static Key of(BigInteger value) {
    return new Key(value);
  }

  public static Key of(long value) {
    return new Key(BigInteger.valueOf(value));
  }

  /** The key carried by a JSON value, or {@code null} when the value cannot be a key. */
  public static Key fromJson(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return new Key(node.textValue());
    }
    if (node.isIntegralNumber()) {
      return new Key(node.bigIntegerValue());
    }
    return null;
  }

  public boolean isString() {
    return value instanceof String;
  }

  /** The key as a JSON value: a string node or an integer node. */
  public JsonNode toJson() {
    return value instanceof String s ? TextNode.valueOf(s) : BigIntegerNode.valueOf((BigInteger) value);
  }

  /** The Java value: a {@link String} or a {@link BigInteger}. */
  public Object value() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Key key && value.equals(key.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The key as JSON text: {@code "abc"} or {@code 42}. */
  @Override
  public String toString() {
    return toJson().toString();
  }
}
