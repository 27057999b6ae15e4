package org.syncbus.queue;

import static org.syncbus.queue.TestBatches.del;
import static org.syncbus.queue.TestBatches.upd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoded backlog that the owner and every mirror keep, one rule per test. Expected bytes are
 * what {@link Json#element} and {@link Json#array} produce, and the order is {@link Backlog}'s.
 */
class EncodedBacklogTest {
  private static final String PK = "id";

  private final EncodedBacklog encoded = new EncodedBacklog();

  private static List<Update> batch(String... elements) {
    return TestBatches.parse("[" + String.join(",", elements) + "]", PK);
  }

  /** Applies the batch as the owner does: with its own encoded elements. */
  private void apply(String... elements) {
    List<Update> batch = batch(elements);
    encoded.apply(batch, Json.elements(batch));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The snapshot array {@link Json} makes of these updates' elements. */
  private static String arrayOf(String... elements) {
    return text(Json.array(Json.elements(batch(elements))));
  }

  private static List<Key> keys(Object... values) {
    return Arrays.stream(values)
        .map(value -> value instanceof String s ? Key.of(s) : Key.of(((Integer) value).longValue()))
        .toList();
  }

  @Test
  void updateOfANewKeyAddsItAtTheEnd() {
    apply(upd("{\"id\":\"a\"}"));
    apply(upd("{\"id\":2,\"v\":1.10}"));

    assertEquals(keys("a", 2), encoded.keys());
    assertEquals(2, encoded.size());
    assertEquals(arrayOf(upd("{\"id\":\"a\"}"), upd("{\"id\":2,\"v\":1.10}")), text(encoded.array()));
  }

  @Test
  void updateOfAPresentKeyKeepsItsPositionAndReplacesItsElement() {
    apply(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":\"b\"}"));
    apply(upd("{\"id\":\"a\",\"v\":2}"));

    assertEquals(keys("a", "b"), encoded.keys());
    assertEquals(arrayOf(upd("{\"id\":\"a\",\"v\":2}"), upd("{\"id\":\"b\"}")), text(encoded.array()));
  }

  @Test
  void deleteRemovesTheKey() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    apply(del("{\"id\":\"a\"}"));

    assertEquals(keys("b"), encoded.keys());
    assertEquals(arrayOf(upd("{\"id\":\"b\"}")), text(encoded.array()));
  }

  @Test
  void deleteOfAnAbsentKeyChangesNothing() {
    apply(upd("{\"id\":\"a\"}"));
    apply(del("{\"id\":\"zz\"}"));

    assertEquals(arrayOf(upd("{\"id\":\"a\"}")), text(encoded.array()));
  }

  @Test
  void deletedAndRecreatedKeyMovesToTheEnd() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    apply(del("{\"id\":\"a\"}"), upd("{\"id\":\"a\",\"v\":3}"));

    assertEquals(keys("b", "a"), encoded.keys());
  }

  @Test
  void orderIsTheQueueBacklogsOrderAfterTheSameBatches() {
    KeyedQueue queue = new KeyedQueue(PK);
    List<List<Update>> batches = List.of(
        batch(upd("{\"id\":1}"), upd("{\"id\":\"x\"}"), upd("{\"id\":3}")),
        batch(upd("{\"id\":\"x\",\"v\":[1.5,null]}"), del("{\"id\":1}"), upd("{\"id\":1,\"v\":true}")),
        batch(del("{\"id\":3}"), upd("{\"id\":3}"), upd("{\"id\":3,\"w\":\"s\"}"), del("{\"id\":9}")));
    for (List<Update> batch : batches) {
      queue.apply(batch);
      encoded.apply(batch, Json.elements(batch));

      assertEquals(text(Json.array(Json.elements(queue.snapshot()))), text(encoded.array()));
    }
  }

  @Test
  void arrayIsTheElementsConcatenatedInBacklogOrder() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":2}"));

    assertEquals("[{\"type\":\"update\",\"data\":{\"id\":\"a\"}},{\"type\":\"update\",\"data\":{\"id\":2}}]",
        text(encoded.array()));
    assertEquals(text(Json.array(encoded.elements())), text(encoded.array()));
  }

  @Test
  void emptyBacklogIsTheEmptyArray() {
    assertEquals("[]", text(encoded.array()));
    assertEquals(0, encoded.size());
  }

  @Test
  void arrayIsBuiltOnceUntilAChange() {
    apply(upd("{\"id\":\"a\"}"));

    assertSame(encoded.array(), encoded.array());
  }

  @Test
  void arrayIsRebuiltAfterEveryKindOfChange() {
    apply(upd("{\"id\":\"a\"}"));
    byte[] before = encoded.array();
    apply(upd("{\"id\":\"b\"}"));
    byte[] afterApply = encoded.array();
    encoded.replace(keys("c"), Json.elements(batch(upd("{\"id\":\"c\"}"))));
    byte[] afterReplace = encoded.array();
    encoded.clear();

    assertNotSame(before, afterApply);
    assertEquals(arrayOf(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}")), text(afterApply));
    assertEquals(arrayOf(upd("{\"id\":\"c\"}")), text(afterReplace));
    assertEquals("[]", text(encoded.array()));
  }

  @Test
  void arrayHandedOutIsNotChangedByLaterChanges() {
    apply(upd("{\"id\":\"a\"}"));
    byte[] shared = encoded.array();
    String sharedText = text(shared);
    apply(del("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));

    assertEquals(sharedText, text(shared));
  }

  @Test
  void replaceInstallsTheGivenBacklogInItsOrder() {
    apply(upd("{\"id\":\"old\"}"));
    List<Update> backlog = batch(upd("{\"id\":2}"), upd("{\"id\":\"a\"}"));
    encoded.replace(keys(2, "a"), Json.elements(backlog));

    assertEquals(keys(2, "a"), encoded.keys());
    assertEquals(arrayOf(upd("{\"id\":2}"), upd("{\"id\":\"a\"}")), text(encoded.array()));
  }

  @Test
  void clearEmptiesTheBacklog() {
    apply(upd("{\"id\":\"a\"}"));
    encoded.clear();

    assertEquals(List.of(), encoded.keys());
    assertEquals("[]", text(encoded.array()));
  }

  @Test
  void ofAQueueEncodesEachRecordOfItsSnapshot() {
    KeyedQueue queue = new KeyedQueue(PK);
    queue.apply(batch(upd("{\"id\":\"a\",\"v\":1.10}"), upd("{\"id\":12345678901234567890123}")));

    EncodedBacklog of = EncodedBacklog.of(queue);

    assertEquals(queue.snapshot().stream().map(Update::key).toList(), of.keys());
    assertEquals(arrayOf(upd("{\"id\":\"a\",\"v\":1.10}"), upd("{\"id\":12345678901234567890123}")), text(of.array()));
  }

  @Test
  void keysAndElementsAreCopiesUnaffectedByLaterChanges() {
    apply(upd("{\"id\":\"a\"}"));
    List<Key> keys = encoded.keys();
    List<byte[]> elements = encoded.elements();
    apply(upd("{\"id\":\"b\"}"));

    assertEquals(keys("a"), keys);
    assertEquals(arrayOf(upd("{\"id\":\"a\"}")), text(Json.array(elements)));
  }

  @Test
  void elementsThatDoNotMatchTheirUpdatesAreRefused() {
    List<Update> two = batch(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));

    IllegalArgumentException applied = assertThrows(IllegalArgumentException.class,
        () -> encoded.apply(two, Json.elements(two).subList(0, 1)));
    IllegalArgumentException replaced = assertThrows(IllegalArgumentException.class,
        () -> encoded.replace(keys("a"), List.of()));
    assertEquals("batch: 2 updates but 1 encoded elements", applied.getMessage());
    assertEquals("backlog: 1 keys but 0 encoded elements", replaced.getMessage());
    assertEquals(0, encoded.size());
  }

  // --- Size: records and the bytes of their encoded elements (queues.Q.limits.*) ------------------

  /** The bytes of these updates' encoded elements, summed. */
  private static long bytesOf(String... elements) {
    return Json.elements(batch(elements)).stream().mapToLong(element -> element.length).sum();
  }

  private EncodedBacklog.Size sizeAfter(String... elements) {
    List<Update> batch = batch(elements);
    return encoded.sizeAfter(batch, Json.elements(batch));
  }

  @Test
  void bytesAreTheSumOfTheRecordsElements() {
    apply(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":2,\"text\":\"été\"}"));

    assertEquals(bytesOf(upd("{\"id\":\"a\",\"v\":1}"), upd("{\"id\":2,\"text\":\"été\"}")), encoded.bytes());
    assertEquals(encoded.array().length - 2 - 1, encoded.bytes(), "the array adds brackets and a comma");
    assertEquals(new EncodedBacklog.Size(2, encoded.bytes()), encoded.sizeNow());
  }

  @Test
  void bytesFollowEveryKindOfChange() {
    apply(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));
    apply(upd("{\"id\":\"a\",\"v\":\"longer\"}"));
    assertEquals(bytesOf(upd("{\"id\":\"a\",\"v\":\"longer\"}"), upd("{\"id\":\"b\"}")), encoded.bytes(),
        "an update replaces its record's bytes");
    apply(del("{\"id\":\"b\"}"), del("{\"id\":\"absent\"}"));
    assertEquals(bytesOf(upd("{\"id\":\"a\",\"v\":\"longer\"}")), encoded.bytes(), "a delete removes them");
    encoded.replace(keys("c", "d"), Json.elements(batch(upd("{\"id\":\"c\"}"), upd("{\"id\":\"d\"}"))));
    assertEquals(bytesOf(upd("{\"id\":\"c\"}"), upd("{\"id\":\"d\"}")), encoded.bytes());
    encoded.clear();
    assertEquals(0, encoded.bytes());
  }

  @Test
  void ofAQueueCountsItsRecordsBytes() {
    KeyedQueue queue = new KeyedQueue(PK);
    queue.apply(batch(upd("{\"id\":\"a\",\"v\":1.10}"), upd("{\"id\":7}")));

    assertEquals(bytesOf(upd("{\"id\":\"a\",\"v\":1.10}"), upd("{\"id\":7}")), EncodedBacklog.of(queue).bytes());
  }

  @Test
  void sizeAfterCountsNewKeysReplacedRecordsAndDeletesWithoutApplying() {
    apply(upd("{\"id\":\"a\",\"v\":\"12345\"}"), upd("{\"id\":\"b\"}"));
    long before = encoded.bytes();
    String bigger = upd("{\"id\":\"a\",\"v\":\"1234567890\"}");
    String added = upd("{\"id\":\"c\"}");

    EncodedBacklog.Size after = sizeAfter(bigger, added, del("{\"id\":\"b\"}"), del("{\"id\":\"absent\"}"));

    assertEquals(new EncodedBacklog.Size(2, bytesOf(bigger, added)), after);
    assertEquals(new EncodedBacklog.Size(2, before), encoded.sizeNow(), "nothing was applied");
    List<Update> batch = batch(bigger, added, del("{\"id\":\"b\"}"), del("{\"id\":\"absent\"}"));
    encoded.apply(batch, Json.elements(batch));
    assertEquals(after, encoded.sizeNow(), "what applying it gives");
  }

  @Test
  void sizeAfterCountsSeveralUpdatesOfOneKeyInTheirOrder() {
    apply(upd("{\"id\":\"a\"}"));
    String last = upd("{\"id\":\"n\",\"v\":2}");

    assertEquals(new EncodedBacklog.Size(2, bytesOf(upd("{\"id\":\"a\"}"), last)),
        sizeAfter(upd("{\"id\":\"n\",\"v\":1}"), del("{\"id\":\"n\"}"), upd("{\"id\":\"n\"}"), last),
        "created, deleted, created and replaced: one record, the last one's bytes");
    assertEquals(new EncodedBacklog.Size(0, 0), sizeAfter(upd("{\"id\":\"a\",\"v\":9}"), del("{\"id\":\"a\"}")),
        "replaced then deleted: gone");
    assertEquals(new EncodedBacklog.Size(1, encoded.bytes()), sizeAfter(), "an empty batch changes nothing");
  }

  @Test
  void sizeAfterRefusesElementsThatDoNotMatchTheirUpdates() {
    List<Update> two = batch(upd("{\"id\":\"a\"}"), upd("{\"id\":\"b\"}"));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> encoded.sizeAfter(two, Json.elements(two).subList(0, 1)));
    assertEquals("batch: 2 updates but 1 encoded elements", refused.getMessage());
  }
}
