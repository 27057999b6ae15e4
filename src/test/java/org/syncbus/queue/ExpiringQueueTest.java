package org.syncbus.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.FakeClock;

/** Records of an expiring queue live for {@code ttl} after their last update; time is a fake clock. */
class ExpiringQueueTest {
  private static final String PK = "login";
  private static final Duration TTL = Duration.ofSeconds(60);
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  /** A clock that moves only when told to. */
  private final FakeClock clock = new FakeClock(START);
  private final ExpiringQueue queue = new ExpiringQueue(PK, TTL, clock);

  private static List<Update> batch(String text) {
    return TestBatches.parse(text, PK);
  }

  private Map<Key, Change> seen(String... logins) {
    StringBuilder text = new StringBuilder("[");
    for (String login : logins) {
      if (text.length() > 1) {
        text.append(',');
      }
      text.append("{\"type\":\"update\",\"data\":{\"login\":\"").append(login).append("\"}}");
    }
    return queue.apply(batch(text.append(']').toString()));
  }

  private List<Update> tickAfter(Duration duration) {
    clock.advance(duration);
    return queue.tick(clock.instant());
  }

  private static List<Key> keys(List<Update> updates) {
    return updates.stream().map(Update::key).toList();
  }

  private List<Key> backlogKeys() {
    return keys(queue.snapshot());
  }

  @Test
  void ttlMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new ExpiringQueue(PK, Duration.ZERO, clock));
    assertThrows(IllegalArgumentException.class, () -> new ExpiringQueue(PK, Duration.ofSeconds(-1), clock));
    assertThrows(IllegalArgumentException.class, () -> new ExpiringQueue(PK, Duration.ofNanos(-1), clock));
    assertEquals(Duration.ofNanos(1), new ExpiringQueue(PK, Duration.ofNanos(1), clock).ttl());
  }

  @Test
  void queueReportsItsPkAndTtl() {
    assertEquals(PK, queue.pk());
    assertEquals(TTL, queue.ttl());
  }

  @Test
  void emptyQueueExpiresNothing() {
    assertEquals(List.of(), tickAfter(Duration.ofDays(365)));
  }

  @Test
  void recordDoesNotExpireBeforeTtl() {
    seen("alice");
    assertEquals(List.of(), tickAfter(TTL.minusMillis(1)));
    assertEquals(1, queue.size());
  }

  @Test
  void recordExpiresAfterTtl() {
    seen("alice");
    List<Update> expired = tickAfter(TTL.plusMillis(1));
    assertEquals(1, expired.size());
    Update deletion = expired.get(0);
    assertTrue(deletion.isDelete());
    assertEquals(Key.of("alice"), deletion.key());
    assertEquals("{\"type\":\"delete\",\"data\":{\"login\":\"alice\"}}",
        new String(Json.element(deletion), StandardCharsets.UTF_8));
  }

  @Test
  void tickDoesNotRemoveByItself() {
    seen("alice");
    List<Update> expired = tickAfter(TTL.plusSeconds(1));
    assertEquals(List.of(Key.of("alice")), keys(expired));
    // The owner publishes the deletions, which applies them; until then the record is still there.
    assertEquals(1, queue.size());
  }

  @Test
  void refreshMovesTheDeadline() {
    seen("alice");
    clock.advance(Duration.ofSeconds(40));
    assertEquals(Map.of(Key.of("alice"), Change.UPDATED), seen("alice"));
    assertEquals(List.of(), tickAfter(Duration.ofSeconds(21))); // 61 s after creation, 21 s after refresh
    assertEquals(List.of(), tickAfter(Duration.ofSeconds(38))); // 59 s after refresh
    assertEquals(List.of(Key.of("alice")), keys(tickAfter(Duration.ofSeconds(2)))); // 61 s after refresh
  }

  @Test
  void tickReturnsOnlyExpiredKeysInExpiryOrder() {
    seen("a");
    clock.advance(Duration.ofSeconds(10));
    seen("b");
    clock.advance(Duration.ofSeconds(10));
    seen("c");
    clock.advance(Duration.ofSeconds(5));
    seen("a"); // a now expires last: at 85 s; b at 70 s; c at 80 s
    clock.advance(Duration.ofSeconds(5));
    seen("d"); // d at 90 s

    assertEquals(List.of(), queue.tick(START.plusSeconds(69)));
    assertEquals(List.of(Key.of("b")), keys(queue.tick(START.plusSeconds(71))));
    assertEquals(List.of(Key.of("b"), Key.of("c")), keys(queue.tick(START.plusSeconds(82))));
    assertEquals(List.of(Key.of("b"), Key.of("c"), Key.of("a")), keys(queue.tick(START.plusSeconds(86))));
    for (Update update : queue.tick(START.plusSeconds(86))) {
      assertTrue(update.isDelete());
    }
  }

  @Test
  void recordsRefreshedInOneBatchExpireTogether() {
    seen("x", "y");
    assertEquals(List.of(Key.of("x"), Key.of("y")), keys(tickAfter(TTL.plusSeconds(1))));
  }

  @Test
  void applyingTheReturnedDeletionsRemovesTheRecords() {
    seen("a");
    clock.advance(Duration.ofSeconds(30));
    seen("b");
    List<Update> expired = tickAfter(Duration.ofSeconds(31)); // a is 61 s old, b 31 s
    assertEquals(List.of(Key.of("a")), keys(expired));
    assertEquals(Map.of(Key.of("a"), Change.DELETED), queue.apply(expired));
    assertEquals(List.of(Key.of("b")), backlogKeys());
    assertEquals(List.of(), queue.tick(clock.instant()));
    assertEquals(List.of(Key.of("b")), keys(tickAfter(Duration.ofSeconds(30))));
  }

  @Test
  void deletedRecordDoesNotExpireAgain() {
    seen("a", "b");
    queue.apply(batch("[{\"type\":\"delete\",\"data\":{\"login\":\"a\"}}]"));
    assertEquals(List.of(Key.of("b")), keys(tickAfter(TTL.plusSeconds(1))));
    queue.apply(queue.tick(clock.instant()));
    assertEquals(0, queue.size());
    assertEquals(List.of(), tickAfter(Duration.ofDays(1)));
  }

  @Test
  void expiredDeletionAppliedTwiceIsHarmless() {
    seen("a");
    List<Update> expired = tickAfter(TTL.plusSeconds(1));
    queue.apply(expired);
    assertEquals(Map.of(), queue.apply(expired));
    assertEquals(List.of(), queue.tick(clock.instant()));
  }

  @Test
  void recreatedRecordGetsAFreshDeadline() {
    seen("a");
    queue.apply(tickAfter(TTL.plusSeconds(1)));
    assertEquals(Map.of(Key.of("a"), Change.CREATED), seen("a"));
    assertEquals(List.of(), tickAfter(TTL.minusSeconds(1)));
    assertEquals(List.of(Key.of("a")), keys(tickAfter(Duration.ofSeconds(2))));
  }

  @Test
  void integerKeysExpireWithTheirKeyField() {
    queue.apply(batch("[{\"type\":\"update\",\"data\":{\"login\":12345678901234567890123,\"x\":1}}]"));
    List<Update> expired = tickAfter(TTL.plusSeconds(1));
    assertEquals("{\"type\":\"delete\",\"data\":{\"login\":12345678901234567890123}}",
        new String(Json.element(expired.get(0)), StandardCharsets.UTF_8));
    assertEquals(Map.of(expired.get(0).key(), Change.DELETED), queue.apply(expired));
  }

  @Test
  void snapshotKeepsBacklogOrderNotDeadlineOrder() {
    seen("a", "b");
    clock.advance(Duration.ofSeconds(10));
    seen("a");
    assertEquals(List.of(Key.of("a"), Key.of("b")), backlogKeys());
  }

  /**
   * A new owner rebuilds the queue from the replicated history: the snapshot's records with their
   * deadlines, then each later batch at the time it was applied. Every record runs out when it
   * would have on the previous owner, not a whole ttl after the rebuild.
   */
  @Test
  void rebuiltQueueKeepsTheDeadlinesOfTheReplicatedHistory() {
    seen("a", "b");
    clock.advance(Duration.ofSeconds(10));
    seen("a"); // a at 70 s, b at 60 s
    List<Update> snapshot = queue.snapshot();
    List<Deadline> deadlines = queue.deadlines();
    assertEquals(List.of(new Deadline(Key.of("b"), START.plusSeconds(60).toEpochMilli()),
        new Deadline(Key.of("a"), START.plusSeconds(70).toEpochMilli())), deadlines);
    Instant loggedAt = START.plusSeconds(20);
    List<Update> logged = batch("[{\"type\":\"update\",\"data\":{\"login\":\"c\"}}]"); // c at 80 s

    clock.set(START.plusSeconds(50)); // the next owner rebuilds 50 s in
    ExpiringQueue rebuilt = new ExpiringQueue(PK, TTL, clock);
    rebuilt.apply(snapshot);
    rebuilt.restore(deadlines);
    rebuilt.apply(logged, loggedAt);

    assertEquals(List.of(), rebuilt.tick(START.plusSeconds(59)));
    assertEquals(List.of(Key.of("b")), keys(rebuilt.tick(START.plusSeconds(61))));
    assertEquals(List.of(Key.of("b"), Key.of("a")), keys(rebuilt.tick(START.plusSeconds(71))));
    assertEquals(List.of(Key.of("b"), Key.of("a"), Key.of("c")), keys(rebuilt.tick(START.plusSeconds(81))));
  }

  @Test
  void restoringADeadlineOfARecordNotHeldIsIgnored() {
    seen("a");
    queue.restore(List.of(new Deadline(Key.of("gone"), START.toEpochMilli())));
    assertEquals(List.of(new Deadline(Key.of("a"), START.plus(TTL).toEpochMilli())), queue.deadlines());
    assertEquals(List.of(), tickAfter(TTL.minusSeconds(1)));
  }

  @Test
  void restoredDeadlinesExpireInDeadlineOrderWhateverTheListOrder() {
    seen("a", "b", "c");
    queue.restore(List.of(new Deadline(Key.of("c"), START.plusSeconds(5).toEpochMilli()),
        new Deadline(Key.of("a"), START.plusSeconds(9).toEpochMilli())));
    assertEquals(List.of(Key.of("c")), keys(queue.tick(START.plusSeconds(6))));
    assertEquals(List.of(Key.of("c"), Key.of("a")), keys(queue.tick(START.plusSeconds(10))));
    assertEquals(List.of(Key.of("c"), Key.of("a"), Key.of("b")), keys(queue.tick(START.plus(TTL))));
  }
}
