package org.syncbus.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static IdempotencyKeys.Applied applied(String key, String batch, long seq, long at) {
    return IdempotencyKeys.applied(key, bytes(batch), "e1", seq, at);
  }

  @Test
  void keysAreOneTo128PrintableAsciiCharacters() {
    assertNull(IdempotencyKeys.invalid("a"));
    assertNull(IdempotencyKeys.invalid(" ~" + "x".repeat(126)));
    assertNotNull(IdempotencyKeys.invalid(""));
    assertNotNull(IdempotencyKeys.invalid("x".repeat(129)));
    assertEquals("an idempotency key is printable ASCII; character 2 is not (U+00E9)", IdempotencyKeys.invalid("caf\u00e9".substring(2)));
    assertNotNull(IdempotencyKeys.invalid("tab\t"));
    assertNotNull(IdempotencyKeys.invalid("del\u007f"));
  }

  @Test
  void aBatchIsRecognisedByItsDigest() {
    IdempotencyKeys.Applied applied = applied("k", "[1]", 1, 0);
    assertTrue(applied.sameBatch(bytes("[1]")));
    assertFalse(applied.sameBatch(bytes("[2]")));
  }

  @Test
  void findSeesAKeyWithinItsSecondsOnly() {
    IdempotencyKeys keys = new IdempotencyKeys();
    keys.add(applied("k", "[1]", 1, 1_000));
    assertEquals(1, keys.find("k", 60_999, 60_000).seq());
    assertNull(keys.find("k", 61_000, 60_000));
    assertNull(keys.find("other", 1_000, 60_000));
  }

  @Test
  void pruneDropsTheOldestOverTheCountAndPastTheWindow() {
    IdempotencyKeys keys = new IdempotencyKeys();
    for (int i = 1; i <= 5; i++) {
      keys.add(applied("k" + i, "[" + i + "]", i, i * 1_000L));
    }
    keys.prune(3, 60_000, 5_000);
    assertEquals(List.of("k3", "k4", "k5"), keys.list().stream().map(IdempotencyKeys.Applied::key).toList());
    keys.prune(3, 1_500, 5_000);
    assertEquals(List.of("k4", "k5"), keys.list().stream().map(IdempotencyKeys.Applied::key).toList());
  }

  @Test
  void keysAppendedToAHistoryShareItsEpochAndArePrunedFromTheNewestTime() {
    IdempotencyKeys keys = new IdempotencyKeys(List.of(applied("old", "[0]", 1, 0)));
    String epoch = new String("e2");
    keys.addAll(List.of(applied("a", "[1]", 2, 10_000), applied("b", "[2]", 3, 20_000)), epoch, 10, 15_000);
    assertEquals(List.of("a", "b"), keys.list().stream().map(IdempotencyKeys.Applied::key).toList(),
        "old is past the window at the newest batch's time");
    assertSame(epoch, keys.list().get(0).epoch());
    assertSame(epoch, keys.list().get(1).epoch());
  }
}
