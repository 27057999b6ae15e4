package org.syncbus.queue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * <p><b>Size.</b> {@link #size()} counts the records and {@link #bytes()} their encoded elements'
 * bytes, kept up to date by every change, so that a queue's bounds ({@code queues.Q.limits.*}) are
 * checked without a walk over the backlog. {@link #sizeAfter} tells what a batch would make of
 * them without applying it: an owner refuses a batch that would exceed a bound before anything of
 * it is applied.
 *
 * <p>Not thread-safe: one owner thread, like {@link Backlog}. What it hands out ({@link #array()},
 * {@link #keys()}, {@link #elements()}) is never modified afterwards, so other threads may read it.
 */
public final class EncodedBacklog {
  private final LinkedHashMap<Key, byte[]> elements = new LinkedHashMap<>();
  /** The sum of the lengths of {@code elements}' values. */
  private long bytes;
  /** The snapshot array of {@code elements}, or {@code null} until asked for since the last change. */
  private byte[] array;

  /** How many records a backlog holds and the bytes of their encoded elements. */
  public record Size(long records, long bytes) {}

  /** The encoded backlog of {@code queue} as it is now: one update element per record. */
  public static EncodedBacklog of(PubSubQueue queue) {
    EncodedBacklog encoded = new EncodedBacklog();
    for (Update update : queue.snapshot()) {
      encoded.put(update.key(), Json.element(update));
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
        remove(update.key());
      } else {
        put(update.key(), elements.get(i));
      }
    }
    array = null;
  }

  /**
   * The size the backlog would have after {@code batch} (whose encoded elements are
   * {@code elements}), without applying it: a new key adds its element, a present key's update
   * replaces its element's bytes, a delete of a present key removes them, a delete of an absent key
   * changes nothing; several updates of one key in the batch count as they would be applied, in
   * order.
   */
  public Size sizeAfter(List<Update> batch, List<byte[]> elements) {
    requireSameSize("batch", "updates", batch.size(), elements.size());
    long records = this.elements.size();
    long bytes = this.bytes;
    // The keys this batch touched so far, with their element's length after it (-1: absent).
    Map<Key, Integer> touched = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Update update = batch.get(i);
      Integer seen = touched.get(update.key());
      int before = seen != null ? seen : lengthOf(this.elements.get(update.key()));
      int after = update.isDelete() ? -1 : elements.get(i).length;
      records += (after < 0 ? 0 : 1) - (before < 0 ? 0 : 1);
      bytes += Math.max(after, 0) - Math.max(before, 0);
      touched.put(update.key(), after);
    }
    return new Size(records, bytes);
  }

  private static int lengthOf(byte[] element) {
    return element == null ? -1 : element.length;
  }

  /** Replaces the whole backlog: {@code elements.get(i)} is the record of {@code keys.get(i)}, in backlog order. */
  public void replace(List<Key> keys, List<byte[]> elements) {
    requireSameSize("backlog", "keys", keys.size(), elements.size());
    clear();
    for (int i = 0; i < keys.size(); i++) {
      put(keys.get(i), elements.get(i));
    }
  }

  public void clear() {
    elements.clear();
    bytes = 0;
    array = null;
  }

  private void put(Key key, byte[] element) {
    byte[] previous = elements.put(key, element);
    bytes += element.length - (previous == null ? 0 : previous.length);
  }

  private void remove(Key key) {
    byte[] previous = elements.remove(key);
    if (previous != null) {
      bytes -= previous.length;
    }
  }

  /** The snapshot: the elements as one JSON array, {@code [e1,e2,…]}, without a line end. Shared: never modify it. */
  public byte[] array() {
    if (array == null) {
      array = Json.array(List.copyOf(elements.values()));
    }
    return array;
  }

  /** How many records the backlog holds. */
  public int size() {
    return elements.size();
  }

  /** The bytes of the records' encoded elements, summed (the snapshot array adds a comma between two, and brackets). */
  public long bytes() {
    return bytes;
  }

  /** The records and their bytes now. */
  public Size sizeNow() {
    return new Size(elements.size(), bytes);
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
