package org.syncbus.queue;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The idempotency keys a queue remembers: for each batch published with a key, the key, a digest
 * of the batch as applied, and the {@code epoch} and {@code seq} it was applied under, for a
 * bounded window ({@code queues.Q.idempotency.keys} keys, {@code .seconds} seconds). A batch
 * presented again under a remembered key is a retry: it is answered as the original was, not
 * applied again; under the same key with another batch it is a client's mistake (422).
 *
 * <p>The same rules run in the owner and in the replicated history (where the keys outlive the
 * owner): keys are kept in the order they were applied, and {@link #prune} drops the oldest while
 * there are more than the bound or they are older than the window, counted from the newest
 * batch's time, so every copy drops the same keys.
 *
 * <p>The digest is the first 128 bits of the SHA-256 of the batch's canonical encoding (its
 * elements as the owner encodes them), so whitespace or a re-serialisation of the same values by a
 * client does not make a retry look like another batch.
 */
public final class IdempotencyKeys implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int MAX_LENGTH = 128;
  /**
   * Heap one remembered key takes besides its characters: the key record (56 bytes), its map entry
   * (56), its share of the map's table (about 8) and the key string's header and array header (40).
   */
  public static final long HEAP_BYTES_PER_KEY = 160;

  /** A batch applied under a key: what a retry is compared with and answered from. */
  public record Applied(String key, long digestHigh, long digestLow, String epoch, long seq, long atMillis)
      implements Serializable {
    /** Whether {@code batch} (its canonical array) is the batch applied under this key. */
    public boolean sameBatch(byte[] batch) {
      long[] digest = digest(batch);
      return digest[0] == digestHigh && digest[1] == digestLow;
    }

    /** This key as applied in {@code epoch} (the same key, batch and seq). */
    Applied inEpoch(String epoch) {
      return new Applied(key, digestHigh, digestLow, epoch, seq, atMillis);
    }
  }

  private final LinkedHashMap<String, Applied> byKey = new LinkedHashMap<>();

  public IdempotencyKeys() {}

  /** A window holding {@code applied}, oldest first. */
  public IdempotencyKeys(Collection<Applied> applied) {
    applied.forEach(this::add);
  }

  /**
   * Why {@code key} cannot be an idempotency key (1 to 128 printable ASCII characters), or null
   * when it can.
   */
  public static String invalid(String key) {
    if (key.isEmpty() || key.length() > MAX_LENGTH) {
      return "an idempotency key has 1 to " + MAX_LENGTH + " characters, this one " + key.length();
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return "an idempotency key is printable ASCII; character " + (i + 1) + " is not (U+"
            + String.format("%04X", (int) c) + ")";
      }
    }
    return null;
  }

  /** The record of {@code batch} (its canonical array) applied under {@code key} as {@code epoch}:{@code seq}. */
  public static Applied applied(String key, byte[] batch, String epoch, long seq, long atMillis) {
    long[] digest = digest(batch);
    return new Applied(key, digest[0], digest[1], epoch, seq, atMillis);
  }

  private static long[] digest(byte[] batch) {
    try {
      ByteBuffer sha = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(batch));
      return new long[] {sha.getLong(), sha.getLong()};
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** The batch applied under {@code key} within the last {@code windowMillis} before {@code nowMillis}; null if none. */
  public Applied find(String key, long nowMillis, long windowMillis) {
    Applied applied = byKey.get(key);
    return applied == null || expired(applied, nowMillis, windowMillis) ? null : applied;
  }

  /** Remembers a key, as the newest. */
  public void add(Applied applied) {
    byKey.remove(applied.key());
    byKey.put(applied.key(), applied);
  }

  /**
   * Remembers the keys of batches appended to a replicated history, under the history's
   * {@code epoch} (one string shared by every key of it), then prunes from the newest one's time.
   */
  public void addAll(Collection<Applied> applied, String epoch, int maxKeys, long windowMillis) {
    long newest = Long.MIN_VALUE;
    for (Applied key : applied) {
      add(key.inEpoch(epoch));
      newest = Math.max(newest, key.atMillis());
    }
    if (!applied.isEmpty()) {
      prune(maxKeys, windowMillis, newest);
    }
  }

  /** Forgets the oldest keys while there are more than {@code maxKeys} or they are past the window at {@code nowMillis}. */
  public void prune(int maxKeys, long windowMillis, long nowMillis) {
    Iterator<Applied> oldest = byKey.values().iterator();
    while (oldest.hasNext()) {
      Applied applied = oldest.next();
      if (byKey.size() <= maxKeys && !expired(applied, nowMillis, windowMillis)) {
        return;
      }
      oldest.remove();
    }
  }

  private static boolean expired(Applied applied, long nowMillis, long windowMillis) {
    return applied.atMillis() <= nowMillis - windowMillis;
  }

  public int size() {
    return byKey.size();
  }

  /** The heap the remembered keys take, roughly ({@link #HEAP_BYTES_PER_KEY} and one byte a character). */
  public long heapBytes() {
    long bytes = 0;
    for (String key : byKey.keySet()) {
      bytes += HEAP_BYTES_PER_KEY + key.length();
    }
    return bytes;
  }

  /** The remembered keys, oldest first. */
  public List<Applied> list() {
    return new ArrayList<>(byKey.values());
  }
}
