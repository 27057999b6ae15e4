package org.syncbus.partition;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@code format=seq} client holds: the epoch and seq of the last line it applied, and the
 * records (id to record) it rebuilt from the snapshot and the batches since. Two nodes serve the same
 * backlog when a fresh client of each holds equal views.
 */
record ClientView(String epoch, long seq, Map<String, JsonObject> records) {
  private static final String EPOCH = "epoch";
  private static final String SEQ = "seq";
  private static final String SNAPSHOT = "snapshot";
  private static final String BATCH = "batch";
  static final String RESUMED = "resumed";
  static final String RESET = "reset";

  /** The view of a client that received {@code first}, a first line with a snapshot. */
  static ClientView ofSnapshot(JsonObject first) {
    if (!first.containsKey(SNAPSHOT)) {
      throw new AssertionError("a first line without a snapshot: " + abbreviated(first));
    }
    return new ClientView(epochOf(first), first.getLong(SEQ), new LinkedHashMap<>()).apply(first.getJsonArray(SNAPSHOT));
  }

  static String epochOf(JsonObject line) {
    Object epoch = line.getValue(EPOCH);
    return epoch == null ? null : epoch.toString();
  }

  /** {@code E:S}, as {@code since=} takes it. */
  String position() {
    return epoch + ":" + seq;
  }

  /**
   * This view after the batch line {@code line}, which must be the next seq (a gap fails). The
   * records are changed in place: this view is used up (take a {@link #copy()} first to keep it).
   */
  ClientView next(JsonObject line) {
    long seqOfLine = line.getLong(SEQ, -1L);
    if (seqOfLine != seq + 1 || !line.containsKey(BATCH)) {
      throw new AssertionError("after seq " + seq + " the client received " + abbreviated(line));
    }
    return new ClientView(epoch, seqOfLine, records).apply(line.getJsonArray(BATCH));
  }

  ClientView copy() {
    return new ClientView(epoch, seq, new LinkedHashMap<>(records));
  }

  private ClientView apply(JsonArray updates) {
    for (int i = 0; i < updates.size(); i++) {
      JsonObject update = updates.getJsonObject(i);
      JsonObject data = update.getJsonObject("data");
      String key = String.valueOf(data.getValue(NetCluster.PK));
      if ("delete".equals(update.getString("type"))) {
        records.remove(key);
      } else {
        records.put(key, data);
      }
    }
    return this;
  }

  /** Same epoch, seq and records. */
  boolean sameAs(ClientView other) {
    return Objects.equals(epoch, other.epoch) && seq == other.seq && records.equals(other.records);
  }

  /** How this view differs from {@code other}, for failure messages. */
  String difference(ClientView other) {
    long missing = other.records.keySet().stream().filter(key -> !records.containsKey(key)).count();
    long extra = records.keySet().stream().filter(key -> !other.records.containsKey(key)).count();
    long changed = records.keySet().stream()
        .filter(key -> other.records.containsKey(key) && !records.get(key).equals(other.records.get(key))).count();
    return position() + " with " + records.size() + " records vs " + other.position() + " with " + other.records.size()
        + " (" + missing + " missing, " + extra + " extra, " + changed + " different)";
  }

  static String abbreviated(JsonObject line) {
    String text = line.encode();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
