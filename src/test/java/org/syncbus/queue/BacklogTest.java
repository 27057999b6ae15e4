package org.syncbus.queue;

import static org.syncbus.queue.TestBatches.del;
import static org.syncbus.queue.TestBatches.upd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md, "Applying a batch, and change metadata", and the backlog's order, one rule per test. */
class BacklogTest {
  private static final String PK = "id";

  private final Backlog backlog = new Backlog();

  private static List<Update> batch(String text) {
    return TestBatches.parse(text, PK);
  }

  private Map<Key, Change> apply(String... elements) {
    return backlog.apply(batch("[" + String.join(",", elements) + "]"));
  }

  private Map<Key, Change> applyWatching(Set<String> watch, String... elements) {
    return backlog.apply(batch("[" + String.join(",", elements) + "]"), watch);
  }

  private List<Key> order() {
    return new ArrayList<>(backlog.view().keySet());
  }

  private static Map<Key, Change> changes(Object... keysAndChanges) {
    Map<Key, Change> expected = new LinkedHashMap<>();
    for (int i = 0; i < keysAndChanges.length; i += 2) {
      expected.put((Key) keysAndChanges[i], (Change) keysAndChanges[i + 1]);
    }
    return expected;
  }

  private static Key k(String value) {
    return Key.of(value);
  }

  // --- order ---------------------------------------------------------------------------------

  @Test
  void recordsKeepInsertionOrder() {
    apply(upd("{\"id\":\"c\"}"), upd("{\"id\":\"a\"}"));
    apply(upd("{\"id\":\"b\"}"));
    assertEquals(List.of(k("c"), k("a"), k("b")), order());
    assertEquals(3, backlog.size());
  }

  @Test
  void replacingARecordKeepsItsPosition() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\",\"v\":1}"), upd("{\"id\":\"c\"}"));
    apply(upd("{\"id\":\"b\",\"v\":2}"));
    assertEquals(List.of(k("a"), k("b"), k("c")), order());
    assertEquals("{\"id\":\"b\",\"v\":2}", Json.encode(backlog.get(k("b"))));
  }

  @Test
  void deleteThenRecreateMovesTheRecordToTheEnd() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"), upd("{\"id\":\"c\"}"));
    apply(del("{\"id\":\"a\"}"));
    apply(upd("{\"id\":\"a\",\"v\":2}"));
    assertEquals(List.of(k("b"), k("c"), k("a")), order());
  }

  @Test
  void deleteThenRecreateInOneBatchMovesTheRecordToTheEnd() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    apply(del("{\"id\":\"a\"}"), upd("{\"id\":\"a\",\"v\":2}"));
    assertEquals(List.of(k("b"), k("a")), order());
  }

  @Test
  void snapshotIsTheBacklogInOrderAsUpdates() {
    apply(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":2}"), upd("{\"id\":\"c\"}"));
    apply(del("{\"id\":\"a\"}"), upd("{\"id\":2,\"v\":9}"), upd("{\"id\":\"a\",\"v\":3}"));
    List<Update> snapshot = backlog.snapshot();
    assertEquals(List.of(Key.of(2L), k("c"), k("a")), snapshot.stream().map(Update::key).toList());
    for (Update update : snapshot) {
      assertEquals(Update.Kind.UPDATE, update.kind());
    }
    assertEquals(List.of("{\"id\":2,\"v\":9}", "{\"id\":\"c\"}", "{\"id\":\"a\",\"v\":3}"),
        snapshot.stream().map(u -> Json.encode(u.data())).toList());
  }

  @Test
  void snapshotOfAnEmptyBacklogIsEmpty() {
    assertEquals(List.of(), backlog.snapshot());
    apply(upd("{\"id\":\"a\"}"));
    apply(del("{\"id\":\"a\"}"));
    assertEquals(List.of(), backlog.snapshot());
  }

  @Test
  void clientRebuildsTheSameStateFromTheSnapshot() {
    apply(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":\"b\"}"), upd("{\"id\":3}"));
    apply(del("{\"id\":\"b\"}"), upd("{\"id\":\"a\",\"v\":2}"));
    Backlog mirror = new Backlog();
    mirror.apply(backlog.snapshot());
    assertEquals(order(), new ArrayList<>(mirror.view().keySet()));
    assertEquals(backlog.view(), mirror.view());
  }

  // --- metadata ------------------------------------------------------------------------------

  @Test
  void updateOfAnAbsentKeyIsCreated() {
    assertEquals(changes(k("a"), Change.CREATED), apply(upd("{\"id\":\"a\"}")));
    assertTrue(backlog.contains(k("a")));
  }

  @Test
  void updateOfAPresentKeyIsUpdated() {
    apply(upd("{\"id\":\"a\",\"v\":1}"));
    assertEquals(changes(k("a"), Change.UPDATED), apply(upd("{\"id\":\"a\",\"v\":2}")));
  }

  @Test
  void identicalUpdateWithoutWatchIsStillUpdated() {
    apply(upd("{\"id\":\"a\",\"v\":1}"));
    assertEquals(changes(k("a"), Change.UPDATED), apply(upd("{\"id\":\"a\",\"v\":1}")));
  }

  @Test
  void deleteOfAPresentKeyIsDeleted() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    assertEquals(changes(k("a"), Change.DELETED), apply(del("{\"id\":\"a\",\"ignored\":true}")));
    assertFalse(backlog.contains(k("a")));
    assertNull(backlog.get(k("a")));
    assertEquals(List.of(k("b")), order());
  }

  @Test
  void deleteOfAnAbsentKeyYieldsNothing() {
    apply(upd("{\"id\":\"a\"}"));
    assertEquals(Map.of(), apply(del("{\"id\":\"zz\"}")));
    assertEquals(List.of(k("a")), order());
  }

  @Test
  void emptyBatchChangesNothing() {
    apply(upd("{\"id\":\"a\"}"));
    assertEquals(Map.of(), backlog.apply(List.of()));
    assertEquals(List.of(k("a")), order());
  }

  @Test
  void metadataCoversEveryKeyOfTheBatch() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    Map<Key, Change> changes = apply(upd("{\"id\":\"c\"}"), del("{\"id\":\"a\"}"), upd("{\"id\":\"b\",\"v\":1}"),
        del("{\"id\":\"nope\"}"));
    assertEquals(changes(k("c"), Change.CREATED, k("a"), Change.DELETED, k("b"), Change.UPDATED), changes);
  }

  @Test
  void createThenUpdateInOneBatchIsUpdated() {
    assertEquals(changes(k("a"), Change.UPDATED), apply(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":\"a\",\"v\":2}")));
    assertEquals("{\"id\":\"a\",\"v\":2}", Json.encode(backlog.get(k("a"))));
  }

  @Test
  void createThenDeleteInOneBatchIsDeleted() {
    assertEquals(changes(k("a"), Change.DELETED), apply(upd("{\"id\":\"a\"}"), del("{\"id\":\"a\"}")));
    assertFalse(backlog.contains(k("a")));
    assertEquals(0, backlog.size());
  }

  @Test
  void deleteThenCreateInOneBatchIsCreated() {
    apply(upd("{\"id\":\"a\",\"v\":1}"));
    assertEquals(changes(k("a"), Change.CREATED), apply(del("{\"id\":\"a\"}"), upd("{\"id\":\"a\",\"v\":2}")));
    assertEquals("{\"id\":\"a\",\"v\":2}", Json.encode(backlog.get(k("a"))));
  }

  @Test
  void updateThenDeleteOfAPresentKeyInOneBatchIsDeleted() {
    apply(upd("{\"id\":\"a\",\"v\":1}"));
    assertEquals(changes(k("a"), Change.DELETED), apply(upd("{\"id\":\"a\",\"v\":2}"), del("{\"id\":\"a\"}")));
  }

  @Test
  void changeWireNamesAreTheProtocolWords() {
    assertEquals("created", Change.CREATED.wireName());
    assertEquals("updated", Change.UPDATED.wireName());
    assertEquals("deleted", Change.DELETED.wireName());
  }

  // --- watch ---------------------------------------------------------------------------------

  @Test
  void watchedFieldDifferingIsUpdated() {
    apply(upd("{\"id\":\"a\",\"ip\":\"1\",\"seen\":1}"));
    assertEquals(changes(k("a"), Change.UPDATED),
        applyWatching(Set.of("ip"), upd("{\"id\":\"a\",\"ip\":\"2\",\"seen\":1}")));
  }

  @Test
  void onlyUnwatchedFieldsDifferingIsNotUpdatedButStillReplaced() {
    apply(upd("{\"id\":\"a\",\"ip\":\"1\",\"seen\":1}"));
    assertEquals(Map.of(), applyWatching(Set.of("ip"), upd("{\"id\":\"a\",\"ip\":\"1\",\"seen\":2}")));
    assertEquals("{\"id\":\"a\",\"ip\":\"1\",\"seen\":2}", Json.encode(backlog.get(k("a"))));
  }

  @Test
  void oneOfSeveralWatchedFieldsDifferingIsUpdated() {
    apply(upd("{\"id\":\"a\",\"ip\":\"1\",\"room\":\"x\"}"));
    assertEquals(changes(k("a"), Change.UPDATED),
        applyWatching(Set.of("ip", "room"), upd("{\"id\":\"a\",\"ip\":\"1\",\"room\":\"y\"}")));
  }

  @Test
  void watchedFieldAppearingIsUpdated() {
    apply(upd("{\"id\":\"a\"}"));
    assertEquals(changes(k("a"), Change.UPDATED), applyWatching(Set.of("ip"), upd("{\"id\":\"a\",\"ip\":\"1\"}")));
  }

  @Test
  void watchedFieldDisappearingIsUpdated() {
    apply(upd("{\"id\":\"a\",\"ip\":\"1\"}"));
    assertEquals(changes(k("a"), Change.UPDATED), applyWatching(Set.of("ip"), upd("{\"id\":\"a\"}")));
  }

  @Test
  void watchedFieldMissingOnBothSidesIsNotUpdated() {
    apply(upd("{\"id\":\"a\",\"v\":1}"));
    assertEquals(Map.of(), applyWatching(Set.of("ip"), upd("{\"id\":\"a\",\"v\":2}")));
  }

  @Test
  void watchedNumbersCompareByValue() {
    apply(upd("{\"id\":\"a\",\"n\":1}"));
    assertEquals(Map.of(), applyWatching(Set.of("n"), upd("{\"id\":\"a\",\"n\":1.0}")));
    assertEquals(Map.of(), applyWatching(Set.of("n"), upd("{\"id\":\"a\",\"n\":1.00}")));
    assertEquals(changes(k("a"), Change.UPDATED), applyWatching(Set.of("n"), upd("{\"id\":\"a\",\"n\":1.5}")));
  }

  @Test
  void watchedNumberAndStringAreDifferent() {
    apply(upd("{\"id\":\"a\",\"n\":1}"));
    assertEquals(changes(k("a"), Change.UPDATED), applyWatching(Set.of("n"), upd("{\"id\":\"a\",\"n\":\"1\"}")));
  }

  @Test
  void watchDoesNotHideCreationsOrDeletions() {
    apply(upd("{\"id\":\"a\",\"ip\":\"1\"}"));
    assertEquals(changes(k("b"), Change.CREATED, k("a"), Change.DELETED),
        applyWatching(Set.of("ip"), upd("{\"id\":\"b\",\"ip\":\"1\"}"), del("{\"id\":\"a\"}")));
  }

  // --- keys ----------------------------------------------------------------------------------

  @Test
  void integerAndStringKeysAreDistinct() {
    Map<Key, Change> changes = apply(upd("{\"id\":1,\"v\":\"int\"}"), upd("{\"id\":\"1\",\"v\":\"str\"}"));
    assertEquals(changes(Key.of(1L), Change.CREATED, Key.of("1"), Change.CREATED), changes);
    assertEquals(2, backlog.size());
    assertEquals("{\"id\":1,\"v\":\"int\"}", Json.encode(backlog.get(Key.of(1L))));
    assertEquals("{\"id\":\"1\",\"v\":\"str\"}", Json.encode(backlog.get(Key.of("1"))));
    assertNotEquals(Key.of(1L), Key.of("1"));
  }

  @Test
  void deletingTheIntegerKeyLeavesTheStringKey() {
    apply(upd("{\"id\":1}"), upd("{\"id\":\"1\"}"));
    assertEquals(changes(Key.of(1L), Change.DELETED), apply(del("{\"id\":1}")));
    assertEquals(List.of(Key.of("1")), order());
  }

  @Test
  void integerKeyIsTheSameKeyFromJavaAndFromJson() throws Exception {
    Key fromJson = Key.fromJson(Json.parse("1"));
    assertEquals(Key.of(1L), fromJson);
    assertEquals(Key.of(1L).hashCode(), fromJson.hashCode());
    assertEquals(Key.of(1L), Key.fromJson(IntNode.valueOf(1)));
    assertEquals(Key.of(1L), Key.fromJson(LongNode.valueOf(1L)));
    assertEquals(Key.of(BigInteger.ONE), Key.of(1L));
  }

  @Test
  void fortyDigitIntegerKeysAreEqualByValue() throws Exception {
    String digits = "9876543210987654321098765432109876543210";
    Key fromJson = Key.fromJson(Json.parse(digits));
    Key fromJava = Key.of(new BigInteger(digits));
    assertEquals(fromJava, fromJson);
    assertEquals(fromJava.hashCode(), fromJson.hashCode());
    assertNotEquals(Key.of(new BigInteger(digits).add(BigInteger.ONE)), fromJson);
    assertNotEquals(Key.of(digits), fromJson);
  }

  @Test
  void fortyDigitKeyFromABatchAddressesTheSameRecord() {
    String digits = "9876543210987654321098765432109876543210";
    apply(upd("{\"id\":" + digits + ",\"v\":1}"));
    assertTrue(backlog.contains(Key.of(new BigInteger(digits))));
    assertEquals(changes(Key.of(new BigInteger(digits)), Change.DELETED), apply(del("{\"id\":" + digits + "}")));
  }

  @Test
  void keysThatAreNotStringsOrIntegersHaveNoKey() throws Exception {
    for (String json : List.of("null", "true", "1.5", "1.0", "1e3", "{}", "[]")) {
      assertNull(Key.fromJson(Json.parse(json)), json);
    }
    assertNull(Key.fromJson(null));
  }

  @Test
  void keyTextIsItsJson() {
    assertEquals("\"1\"", Key.of("1").toString());
    assertEquals("1", Key.of(1L).toString());
  }

  // --- values preserved exactly --------------------------------------------------------------

  private String roundTrip(String record) {
    backlog.apply(batch("[" + upd(record) + "]"));
    return new String(Json.element(backlog.snapshot().get(0)), StandardCharsets.UTF_8);
  }

  @Test
  void recordValuesArePreservedExactly() {
    String record = "{\"id\":123456789012345678901234567890123456789012,"
        + "\"price\":1.10,"
        + "\"pi\":3.141592653589793,\"tiny\":4.9E-324,\"huge\":1.7976931348623157E+308,"
        + "\"big\":-98765432109876543210987654321,"
        + "\"name\":\"Zoë ✓ 日本語 Ω\","
        + "\"escaped\":\"a\\\"b\\\\c\\nd\","
        + "\"nested\":{\"z\":[1,{\"b\":null,\"a\":[]}],\"a\":{},\"t\":true,\"f\":false},"
        + "\"zero\":0}";
    assertEquals("{\"type\":\"update\",\"data\":" + record + "}", roundTrip(record));
  }

  @Test
  void charactersOutsideTheBasicPlaneAreTheSameString() throws Exception {
    // Encoded as UTF-8 or as an escaped surrogate pair: either way the same JSON string value.
    String name = "smile 😀 𝄞 end";
    String element = roundTrip("{\"id\":\"a\",\"name\":\"" + name + "\"}");
    assertEquals(name, Json.parse(element).get("data").get("name").textValue());
    assertEquals("{\"id\":\"a\",\"name\":\"" + name + "\"}", Json.encode(backlog.get(k("a"))));
  }

  @Test
  void decimalTrailingZerosAreKept() {
    assertEquals("{\"type\":\"update\",\"data\":{\"id\":\"a\",\"v\":1.10,\"w\":2.000}}",
        roundTrip("{\"id\":\"a\",\"v\":1.10,\"w\":2.000}"));
  }

  @Test
  void fieldOrderIsKept() {
    assertEquals("{\"type\":\"update\",\"data\":{\"z\":1,\"id\":\"a\",\"b\":2}}",
        roundTrip("{\"z\":1,\"id\":\"a\",\"b\":2}"));
  }

  @Test
  void deleteElementIsEncodedAsADelete() {
    Update delete = Update.delete(PK, Key.of(new BigInteger("12345678901234567890123")));
    assertEquals("{\"type\":\"delete\",\"data\":{\"id\":12345678901234567890123}}",
        new String(Json.element(delete), StandardCharsets.UTF_8));
    assertEquals("{\"type\":\"delete\",\"data\":{\"id\":\"x\"}}",
        new String(Json.element(Update.delete(PK, Key.of("x"))), StandardCharsets.UTF_8));
  }

  @Test
  void snapshotLineIsAJsonArrayOfElements() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":2}"));
    List<byte[]> elements = backlog.snapshot().stream().map(Json::element).toList();
    assertEquals("[{\"type\":\"update\",\"data\":{\"id\":\"a\"}},{\"type\":\"update\",\"data\":{\"id\":2}}]",
        new String(Json.array(elements), StandardCharsets.UTF_8));
    assertEquals("[]", new String(Json.array(List.of()), StandardCharsets.UTF_8));
  }
}
