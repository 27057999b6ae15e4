package org.syncbus.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A queue's state: key -> record in insertion order, and the one function that applies a batch to
 * it (the original's {@code apply_updates}). Servers apply batches to their backlog; clients apply
 * the same batches, with the same function, to their own copy.
 *
 * <p>Order: replacing a record keeps its position; deleting and re-creating it moves it to the end.
 * Not thread-safe: each backlog has one owner thread.
 */
public final class Backlog {
  /** Numbers compare by value ({@code 1}, {@code 1.0} and {@code 1.00} are equal), as the original's. */
  private static final Comparator<JsonNode> NUMERIC =
      (a, b) -> a.isNumber() && b.isNumber()
          ? a.decimalValue().compareTo(b.decimalValue())
          : a.equals(b) ? 0 : 1;

  private final LinkedHashMap<Key, ObjectNode> records = new LinkedHashMap<>();

  /** Applies a batch; returns what changed, in the order keys were last touched. */
  public Map<Key, Change> apply(List<Update> batch) {
    return apply(batch, Set.of());
  }

  /**
   * Applies a batch. With a non-empty {@code watch}, a replaced record counts as {@code updated}
   * only if a watched field differs (a field missing on one side differs from a present one).
   * Several updates of one key: the last one's kind wins.
   */
  public Map<Key, Change> apply(List<Update> batch, Set<String> watch) {
    Map<Key, Change> changes = new LinkedHashMap<>();
    for (Update update : batch) {
      Key key = update.key();
      if (update.isDelete()) {
        if (records.remove(key) != null) {
          changes.put(key, Change.DELETED);
        }
        continue;
      }
      ObjectNode previous = records.put(key, update.data());
      if (previous == null) {
        changes.put(key, Change.CREATED);
      } else if (watch.isEmpty() || watchedFieldDiffers(previous, update.data(), watch)) {
        changes.put(key, Change.UPDATED);
      }
    }
    return changes;
  }

  /**
   * What changed from {@code before} to {@code after}, as if one batch had led from one to the
   * other: keys only in {@code after} are created, keys only in {@code before} deleted, and keys in
   * both updated when their records differ (only watched fields count when {@code watch} is not
   * empty). A client that lost its stream uses it to report only real changes after rebuilding.
   */
  public static Map<Key, Change> diff(Backlog before, Backlog after, Set<String> watch) {
    Map<Key, Change> changes = new LinkedHashMap<>();
    after.records.forEach((key, record) -> {
      ObjectNode previous = before.records.get(key);
      if (previous == null) {
        changes.put(key, Change.CREATED);
      } else if (watch.isEmpty() ? !previous.equals(NUMERIC, record) : watchedFieldDiffers(previous, record, watch)) {
        changes.put(key, Change.UPDATED);
      }
    });
    before.records.keySet().forEach(key -> {
      if (!after.records.containsKey(key)) {
        changes.put(key, Change.DELETED);
      }
    });
    return changes;
  }

  private static boolean watchedFieldDiffers(ObjectNode before, ObjectNode after, Set<String> watch) {
    for (String field : watch) {
      JsonNode a = before.get(field);
      JsonNode b = after.get(field);
      if (a == null || b == null ? a != b : !a.equals(NUMERIC, b)) {
        return true;
      }
    }
    return false;
  }

  public ObjectNode get(Key key) {
    return records.get(key);
  }

  public boolean contains(Key key) {
    return records.containsKey(key);
  }

  public int size() {
    return records.size();
  }

  public Collection<ObjectNode> records() {
    return Collections.unmodifiableCollection(records.values());
  }

  /** A read-only view, in backlog order. */
  public Map<Key, ObjectNode> view() {
    return Collections.unmodifiableMap(records);
  }

  /** The backlog as a batch of updates, one per record, in backlog order. */
  public List<Update> snapshot() {
    List<Update> snapshot = new ArrayList<>(records.size());
    records.forEach((key, record) -> snapshot.add(Update.update(key, record)));
    return snapshot;
  }

}
