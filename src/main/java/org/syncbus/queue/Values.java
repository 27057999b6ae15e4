package org.syncbus.queue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * The one value model (PROTOCOL.md, "Values"): a record value is accepted only if every path
 * carries it as the same JSON value: the HTTP streams (syncbus's own encoding, exact), and the
 * event bus and the bridges, where Vert.x holds numbers as {@code Integer}/{@code Long}/
 * {@code BigInteger} and {@code Double} and strings as Java strings, and where a node of a cluster
 * decodes what another encoded. So, refused with the path of the first bad value:
 * <ul>
 *   <li>a number with a fraction or an exponent that a 64-bit float does not hold exactly (its
 *       shortest decimal form differs in value: {@code 0.1000000000000000000001}), or that is
 *       infinite there ({@code 1e400}), or that has more than {@value #MAX_FRACTION_DIGITS}
 *       significant digits; such values travel as strings. {@code 1.10} is accepted: the bus
 *       spells it {@code 1.1}, the same number;
 *   <li>a string or a field name with an unpaired surrogate, which no UTF-8 encoder carries.
 * </ul>
 * Integers of any size (up to {@value Json#MAX_NUMBER_LENGTH} digits) and astral characters are
 * carried exactly everywhere; nesting is bounded when the batch is read ({@link Json#MAX_DEPTH}).
 */
final class Values {
  /** Digits a non-integer may have: a 64-bit float has 17 significant digits; this leaves room for trailing zeros. */
  static final int MAX_FRACTION_DIGITS = 100;

  private Values() {}

  /** Fails with the path ({@code where}) of the first value of {@code node} no path carries. */
  static void check(JsonNode node, String where) throws InvalidBatchException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          String path = where + "." + field.getKey();
          checkString(field.getKey(), path + " (its name)");
          check(field.getValue(), path);
        }
      }
      case ARRAY -> {
        for (int i = 0; i < node.size(); i++) {
          check(node.get(i), where + "[" + i + "]");
        }
      }
      case STRING -> checkString(node.textValue(), where);
      case NUMBER -> {
        if (!node.isIntegralNumber()) {
          checkDecimal(node.decimalValue(), where);
        }
      }
      default -> { }
    }
  }

  private static void checkDecimal(BigDecimal value, String where) throws InvalidBatchException {
    if (value.precision() > MAX_FRACTION_DIGITS) {
      throw new InvalidBatchException(where + ": a number with more than " + MAX_FRACTION_DIGITS
          + " digits cannot be carried on every path (send it as a string)");
    }
    double carried = value.doubleValue();
    if (Double.isInfinite(carried) || new BigDecimal(Double.toString(carried)).compareTo(value) != 0) {
      throw new InvalidBatchException(where + ": the number " + shown(value) + " is not a 64-bit float "
          + "exactly, so the event bus and the bridges cannot carry it (send it as a string)");
    }
  }

  private static void checkString(String text, String where) throws InvalidBatchException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidBatchException(where + ": an unpaired surrogate (\\u" + Integer.toHexString(c)
            + ") cannot be carried in UTF-8");
      }
    }
  }

  private static String shown(BigDecimal value) {
    String text = value.toString();
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
  }
}
