package org.syncbus.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One test per batch rule of PROTOCOL.md ("Records, updates, batches" and "POST /update"): a
 * malformed batch is refused whole, its message naming the first bad element and nothing after it.
 */
class BatchesTest {
  private static final String PK = "mac";
  private static final String VALID = "{\"type\":\"update\",\"data\":{\"mac\":\"aa\"}}";

  private static String refusal(String batch) {
    return assertThrows(InvalidBatchException.class, () -> Batches.parse(batch, PK)).getMessage();
  }

  private static String keyRefusal(String keyJson) {
    return refusal("[" + VALID + ",{\"type\":\"update\",\"data\":{\"mac\":" + keyJson + ",\"x\":1}}]");
  }

  private static String badKeyMessage(String shown) {
    return "batch[1].data.mac: a key must be a string or an integer, got " + shown;
  }

  // --- malformed batches -------------------------------------------------------------------

  @Test
  void notJsonIsRefused() {
    String message = refusal("[{\"type\": \"update\", ");
    assertTrue(message.startsWith("batch: not valid JSON ("), message);
  }

  @Test
  void garbageAfterTheArrayIsNotJson() {
    String message = refusal("[] []");
    assertTrue(message.startsWith("batch: not valid JSON ("), message);
  }

  @Test
  void emptyTextIsRefused() {
    assertEquals("batch: empty, expected a JSON array", refusal(""));
  }

  @Test
  void batchNotAnArrayIsRefused() {
    assertEquals("batch: expected a JSON array of updates, got an object", refusal(VALID));
  }

  @Test
  void batchAsAStringIsRefused() {
    assertEquals("batch: expected a JSON array of updates, got a string", refusal("\"[]\""));
  }

  @Test
  void elementNotAnObjectIsRefused() {
    assertEquals("batch[1]: expected an update object, got the number 5", refusal("[" + VALID + ",5]"));
  }

  @Test
  void elementAsAnArrayIsRefused() {
    assertEquals("batch[0]: expected an update object, got an array", refusal("[[" + VALID + "]]"));
  }

  @Test
  void missingTypeIsRefused() {
    assertEquals("batch[1].type: missing", refusal("[" + VALID + ",{\"data\":{\"mac\":\"bb\"}}]"));
  }

  @Test
  void unknownTypeIsRefused() {
    assertEquals("batch[1].type: unknown type \"upsert\" (expected \"update\" or \"delete\")",
        refusal("[" + VALID + ",{\"type\":\"upsert\",\"data\":{\"mac\":\"bb\"}}]"));
  }

  @Test
  void typeIsCaseSensitive() {
    assertEquals("batch[0].type: unknown type \"Update\" (expected \"update\" or \"delete\")",
        refusal("[{\"type\":\"Update\",\"data\":{\"mac\":\"bb\"}}]"));
  }

  @Test
  void nonStringTypeIsRefused() {
    assertEquals("batch[1].type: unknown type 1 (expected \"update\" or \"delete\")",
        refusal("[" + VALID + ",{\"type\":1,\"data\":{\"mac\":\"bb\"}}]"));
  }

  @Test
  void nullTypeIsRefused() {
    assertEquals("batch[0].type: unknown type null (expected \"update\" or \"delete\")",
        refusal("[{\"type\":null,\"data\":{\"mac\":\"bb\"}}]"));
  }

  @Test
  void missingDataIsRefused() {
    assertEquals("batch[1].data: missing", refusal("[" + VALID + ",{\"type\":\"delete\"}]"));
  }

  @Test
  void dataNotAnObjectIsRefused() {
    assertEquals("batch[1].data: expected an object, got an array",
        refusal("[" + VALID + ",{\"type\":\"update\",\"data\":[{\"mac\":\"bb\"}]}]"));
  }

  @Test
  void dataAsAStringIsRefused() {
    assertEquals("batch[0].data: expected an object, got a string",
        refusal("[{\"type\":\"update\",\"data\":\"{}\"}]"));
  }

  @Test
  void missingKeyFieldIsRefused() {
    assertEquals("batch[1].data: missing key field \"mac\"",
        refusal("[" + VALID + ",{\"type\":\"update\",\"data\":{\"MAC\":\"bb\"}}]"));
  }

  @Test
  void deleteWithoutKeyFieldIsRefused() {
    assertEquals("batch[0].data: missing key field \"mac\"", refusal("[{\"type\":\"delete\",\"data\":{}}]"));
  }

  @Test
  void nullKeyIsRefused() {
    assertEquals(badKeyMessage("null"), keyRefusal("null"));
  }

  @Test
  void booleanKeyIsRefused() {
    assertEquals(badKeyMessage("true"), keyRefusal("true"));
  }

  @Test
  void fractionalKeyIsRefused() {
    assertEquals(badKeyMessage("1.5"), keyRefusal("1.5"));
  }

  @Test
  void integralValuedDecimalKeyIsRefused() {
    assertEquals(badKeyMessage("1.0"), keyRefusal("1.0"));
  }

  @Test
  void exponentKeyIsRefused() {
    // The value is shown as the parser normalised it; what matters is the element named.
    String message = keyRefusal("1e3");
    assertTrue(message.startsWith(badKeyMessage("")), message);
  }

  @Test
  void objectKeyIsRefused() {
    assertEquals(badKeyMessage("{\"a\":1}"), keyRefusal("{\"a\":1}"));
  }

  @Test
  void arrayKeyIsRefused() {
    assertEquals(badKeyMessage("[1]"), keyRefusal("[1]"));
  }

  @Test
  void badKeyOfADeleteIsRefused() {
    assertEquals("batch[0].data.mac: a key must be a string or an integer, got false",
        refusal("[{\"type\":\"delete\",\"data\":{\"mac\":false}}]"));
  }

  @Test
  void longBadValueIsShownShortened() {
    String longArray = "[" + "1,".repeat(100) + "1]";
    String message = keyRefusal(longArray);
    assertTrue(message.startsWith(badKeyMessage("[1,1,1")), message);
    assertTrue(message.length() < badKeyMessage("").length() + 50, message);
  }

  @Test
  void onlyTheFirstBadElementIsNamed() {
    String message = refusal("[" + VALID
        + ",{\"type\":\"update\",\"data\":{\"mac\":1.5}}"
        + ",{\"type\":\"bogus\",\"data\":{\"mac\":\"cc\"}}"
        + ",7]");
    assertEquals(badKeyMessage("1.5"), message);
    assertFalse(message.contains("batch[2]"), message);
    assertFalse(message.contains("batch[3]"), message);
  }

  @Test
  void firstBadElementWinsOverLaterWorseOnes() {
    String message = refusal("[" + VALID + "," + VALID + ",{\"type\":\"update\"},\"junk\"]");
    assertEquals("batch[2].data: missing", message);
  }

  // --- valid batches -----------------------------------------------------------------------

  @Test
  void stringKeyIsAccepted() throws Exception {
    List<Update> batch = Batches.parse("[{\"type\":\"update\",\"data\":{\"mac\":\"aa:bb\",\"ip\":\"10.0.0.1\"}}]", PK);
    assertEquals(1, batch.size());
    Update update = batch.get(0);
    assertEquals(Update.Kind.UPDATE, update.kind());
    assertEquals(Key.of("aa:bb"), update.key());
    assertTrue(update.key().isString());
    assertEquals("{\"mac\":\"aa:bb\",\"ip\":\"10.0.0.1\"}", Json.encode(update.data()));
  }

  @Test
  void integerKeyIsAccepted() throws Exception {
    List<Update> batch = Batches.parse("[{\"type\":\"update\",\"data\":{\"mac\":42}}]", PK);
    assertEquals(Key.of(42L), batch.get(0).key());
    assertFalse(batch.get(0).key().isString());
  }

  @Test
  void negativeIntegerKeyIsAccepted() throws Exception {
    List<Update> batch = Batches.parse("[{\"type\":\"update\",\"data\":{\"mac\":-7}}]", PK);
    assertEquals(Key.of(-7L), batch.get(0).key());
  }

  @Test
  void hugeIntegerKeyIsKeptExactly() throws Exception {
    String digits = "1234567890123456789012345678901234567890";
    assertEquals(40, digits.length());
    List<Update> batch = Batches.parse("[{\"type\":\"update\",\"data\":{\"mac\":" + digits + "}}]", PK);
    Update update = batch.get(0);
    assertEquals(Key.of(new BigInteger(digits)), update.key());
    assertEquals(new BigInteger(digits), update.key().value());
    assertEquals(digits, update.key().toString());
    assertEquals("{\"mac\":" + digits + "}", Json.encode(update.data()));
  }

  @Test
  void emptyBatchIsValid() throws Exception {
    assertEquals(List.of(), Batches.parse("[]", PK));
    assertEquals(List.of(), Batches.parse(" [ ] \n", PK));
  }

  @Test
  void deleteWithExtraFieldsIsAccepted() throws Exception {
    List<Update> batch = Batches.parse(
        "[{\"type\":\"delete\",\"data\":{\"mac\":\"aa\",\"ip\":\"10.0.0.1\",\"extra\":[1,2]}}]", PK);
    assertEquals(1, batch.size());
    assertTrue(batch.get(0).isDelete());
    assertEquals(Update.Kind.DELETE, batch.get(0).kind());
    assertEquals(Key.of("aa"), batch.get(0).key());
  }

  @Test
  void extraFieldsOfAnUpdateElementAreIgnored() throws Exception {
    List<Update> batch = Batches.parse("[{\"type\":\"update\",\"data\":{\"mac\":\"aa\"},\"seq\":3}]", PK);
    assertEquals(Key.of("aa"), batch.get(0).key());
  }

  @Test
  void updatesKeepTheirOrder() throws Exception {
    List<Update> batch = Batches.parse("["
        + "{\"type\":\"update\",\"data\":{\"mac\":\"b\"}},"
        + "{\"type\":\"delete\",\"data\":{\"mac\":1}},"
        + "{\"type\":\"update\",\"data\":{\"mac\":\"a\"}}]", PK);
    assertEquals(List.of(Key.of("b"), Key.of(1L), Key.of("a")), batch.stream().map(Update::key).toList());
    assertEquals(List.of(Update.Kind.UPDATE, Update.Kind.DELETE, Update.Kind.UPDATE),
        batch.stream().map(Update::kind).toList());
  }

  @Test
  void fromJsonValidatesAnAlreadyParsedBatch() throws Exception {
    List<Update> batch = Batches.fromJson(Json.parse("[{\"type\":\"update\",\"data\":{\"mac\":\"aa\"}}]"), PK);
    assertEquals(Key.of("aa"), batch.get(0).key());
    InvalidBatchException e = assertThrows(InvalidBatchException.class,
        () -> Batches.fromJson(Json.parse("[{\"type\":\"update\",\"data\":{}}]"), PK));
    assertEquals("batch[0].data: missing key field \"mac\"", e.getMessage());
  }

  // --- initial backlogs --------------------------------------------------------------------

  private static String backlogRefusal(String text) {
    return assertThrows(InvalidBatchException.class, () -> Batches.parseRecords(text, PK)).getMessage();
  }

  @Test
  void initialBacklogRecordsBecomeUpdatesInOrder() throws Exception {
    List<Update> updates = Batches.parseRecords("[{\"mac\":\"b\",\"n\":1},{\"mac\":3},{\"mac\":\"a\"}]", PK);
    assertEquals(List.of(Key.of("b"), Key.of(3L), Key.of("a")), updates.stream().map(Update::key).toList());
    for (Update update : updates) {
      assertEquals(Update.Kind.UPDATE, update.kind());
    }
    assertEquals("{\"mac\":\"b\",\"n\":1}", Json.encode(updates.get(0).data()));
  }

  @Test
  void emptyInitialBacklogIsValid() throws Exception {
    assertEquals(List.of(), Batches.parseRecords("[]", PK));
  }

  @Test
  void initialBacklogNotJsonIsRefused() {
    String message = backlogRefusal("[{\"mac\":");
    assertTrue(message.startsWith("backlog: not valid JSON ("), message);
  }

  @Test
  void initialBacklogEmptyTextIsRefused() {
    assertEquals("backlog: empty, expected a JSON array", backlogRefusal("  "));
  }

  @Test
  void initialBacklogNotAnArrayIsRefused() {
    assertEquals("backlog: expected a JSON array of records, got an object", backlogRefusal("{\"mac\":\"a\"}"));
  }

  @Test
  void initialBacklogRecordNotAnObjectIsRefused() {
    assertEquals("backlog[1]: expected a record (JSON object), got the number 3",
        backlogRefusal("[{\"mac\":\"a\"},3,\"x\"]"));
  }

  @Test
  void initialBacklogRecordWithoutKeyIsRefused() {
    assertEquals("backlog[1]: missing key field \"mac\"", backlogRefusal("[{\"mac\":\"a\"},{\"ip\":\"x\"}]"));
  }

  @Test
  void initialBacklogRecordWithBadKeyIsRefused() {
    assertEquals("backlog[0].mac: a key must be a string or an integer, got 1.0",
        backlogRefusal("[{\"mac\":1.0},{\"ip\":\"x\"}]"));
  }

  @Test
  void initialBacklogOfUpdatesIsNotAcceptedAsRecords() {
    // An initial backlog is a list of records, not a batch: update elements lack the key field.
    assertEquals("backlog[0]: missing key field \"mac\"", backlogRefusal("[" + VALID + "]"));
  }
}
