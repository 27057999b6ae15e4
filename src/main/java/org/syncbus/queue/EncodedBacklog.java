package org.syncbus.queue;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A backlog as the wire sees it: each record's encoded update element ({@link Json#element}), in
 * backlog order, and the snapshot array they make ({@link Json#array}). The owner keeps one in step
 * with its {@link PubSubQueue}; every mirror keeps one in step with the owner's stream. Both apply
 * the elements the owner encoded, so a record is encoded once, by its owner, and never again.
 *
 * <p><b>Order.</b> The same as {@link Backlog}'s: an update of a new key adds it at the end, an
 * update of a present key replaces its element and keeps its position, a delete removes it (so
 * deleting and re-creating a key moves it to the end).
 *
 * <p><b>The array.</b> {@link #array()} is built at most once per change and shared until the next
 * {@link #apply}, {@link #replace} or {@link #clear}: every snapshot served between two batches is
 * the same bytes, whatever its number of readers. A change drops it rather than rebuilding it, so a
 * backlog that changes more often than it is read never pays for it. Callers must not modify it.
 *
 * <p>Not thread-safe: one owner thread, like {@link Backlog}. What it hands out ({@link #array()},
 * {@link #keys()}, {@link #elements()}) is never modified afterwards, so other threads may read it.
 */
public final class EncodedBacklog {
  private final LinkedHashMap<Key, byte[]> elements = new LinkedHashMap<>();
  /** The snapshot array of {@code elements}, or {@code null} until asked for since the last change. */
  private byte[] array;

  /** The encoded backlog of {@code queue} as it is now: one update element per record. */
  public static EncodedBacklog of(PubSubQueue queue) {
    EncodedBacklog encoded = new EncodedBacklog();
    for (Update update : queue.snapshot()) {
      encoded.elements.put(update.key(), Json.element(update));
    }
    return encoded;
  }

  /**
   * Applies an applied batch: {@code elements.get(i)} is the encoded form of {@code batch.get(i)}.
   * The elements are kept as they are (shared, never modified).
   */
  public void apply(List<Update> batch, List<byte[]> elements) {
    requireSameSize("batch", "updates", batch.size(), elements.size());
    for (int i = 0; i < batch.size(); i++) {
      Update update = batch.get(i);
      if (update.isDelete()) {
        this.elements.remove(update.key());
      } else {
        this.elements.put(update.key(), elements.get(i));
      }
    }
    array = null;
  }

  /** Replaces the whole backlog: {@code elements.get(i)} is the record of {@code keys.get(i)}, in backlog order. */
  public void replace(List<Key> keys, List<byte[]> elements) {
    requireSameSize("backlog", "keys", keys.size(), elements.size());
    this.elements.clear();
    for (int i = 0; i < keys.size(); i++) {
      this.elements.put(keys.get(i), elements.get(i));
    }
    array = null;
  }

  public void clear() {
    elements.clear();
    array = null;
  }

  /** The snapshot: the elements as one JSON array, {@code [e1,e2,…]}, without a line end. Shared: never modify it. */
  public byte[] array() {
    if (array == null) {
      array = Json.array(List.copyOf(elements.values()));
    }
    return array;
  }

  public int size() {
    return elements.size();
  }

  /** The keys in backlog order: a copy, unaffected by later changes. */
  public List<Key> keys() {
    return List.copyOf(elements.keySet());
  }

  /** The elements in backlog order: a copy of the list (the elements themselves are shared). */
  public List<byte[]> elements() {
    return List.copyOf(elements.values());
  }

  private static void requireSameSize(String what, String items, int count, int elements) {
    if (count != elements) {
      throw new IllegalArgumentException(what + ": " + count + " " + items + " but " + elements + " encoded elements");
    }
  }
}
