package org.syncbus.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PROTOCOL.md, "Values": a record value is accepted only if every path (HTTP, the event bus, the
 * bridges, other nodes) carries it as the same JSON value; the refusal names the value's path.
 */
class ValuesTest {
  private static String batch(String data) {
    return "[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":" + data + "}}]";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      1.10                                  | a decimal the bus spells 1.1: the same number
      -0                                    | minus zero: the number zero
      -0.0                                  | minus zero as a float
      1e300                                 | a large float
      4.9E-324                              | the smallest float
      12345678901234567890123456789012345   | an integer of any size
      0.50000000000000000000000000000000000 | trailing zeros of an exact float
      "smile 😀 𝄞"                          | astral characters
      "\\ud83d\\ude00"                       | an escaped surrogate pair
      """)
  void carriedValuesAreAccepted(String value, String why) throws InvalidBatchException {
    assertEquals(1, Batches.parse(batch(value), "id").size(), why);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      0.1000000000000000000001      | batch[0].data.v: the number 0.1000000000000000000001 is not a 64-bit float exactly
      1e400                         | batch[0].data.v: the number 1E+400 is not a 64-bit float exactly
      -1e400                        | batch[0].data.v: the number -1E+400 is not a 64-bit float exactly
      [1,{"deep":0.30000000000000000001}] | batch[0].data.v[1].deep: the number 0.30000000000000000001 is not a 64-bit float exactly
      "half \\ud800 a pair"          | batch[0].data.v: an unpaired surrogate (\\ud800) cannot be carried in UTF-8
      "\\udc00"                      | batch[0].data.v: an unpaired surrogate (\\udc00) cannot be carried in UTF-8
      {"\\ud800":1}                  | batch[0].data.v.\ud800 (its name): an unpaired surrogate (\\ud800) cannot be carried in UTF-8
      """)
  void valuesNoPathCarriesAreRefusedByPath(String value, String message) {
    InvalidBatchException refused = assertThrows(InvalidBatchException.class, () -> Batches.parse(batch(value), "id"));
    assertEquals(message, refused.getMessage().replaceAll(", so the event bus.*", ""));
  }

  @Test
  void theNumberFromTheAttackRunIsRefused() {
    String poisoned = "0." + "1".repeat(998);
    InvalidBatchException refused = assertThrows(InvalidBatchException.class, () -> Batches.parse(batch(poisoned), "id"));
    assertEquals("batch[0].data.v: a number with more than 100 digits cannot be carried on every path (send it as a string)",
        refused.getMessage());
  }

  @Test
  void nestingUpToTheLimitIsAcceptedAndDeeperRefused() throws InvalidBatchException {
    // The batch's array, its update object and data are three levels: data's value adds the rest.
    int valueDepth = Json.MAX_DEPTH - 3;
    assertEquals(1, Batches.parse(batch("[".repeat(valueDepth) + "]".repeat(valueDepth)), "id").size());
    String deeper = batch("[".repeat(valueDepth + 1) + "]".repeat(valueDepth + 1));
    InvalidBatchException refused = assertThrows(InvalidBatchException.class, () -> Batches.parse(deeper, "id"));
    assertEquals(true, refused.getMessage().contains("nesting depth"), refused.getMessage());
  }

  @Test
  void whatAnOwnerAcceptedLoadsWithoutBeingCheckedAgain() throws InvalidBatchException {
    assertEquals(1, Batches.parseAccepted(batch("0.1000000000000000000001"), "id").size());
  }
}
