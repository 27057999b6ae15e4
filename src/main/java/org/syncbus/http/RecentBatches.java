package org.syncbus.http;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.syncbus.queue.Update;

/**
 * The last batches a mirror applied, for the console: small by construction ({@value #KEPT}
 * batches, each naming the keys of its first {@value #KEYS_PER_BATCH} updates, each cut at
 * {@value #KEY_CHARS} characters), so that a queue's big batches cost the mirror no more than a
 * count of their deletes here. Used on its edge's event loop only.
 */
final class RecentBatches {
  static final int KEPT = 20;
  static final int KEYS_PER_BATCH = 20;
  static final int KEY_CHARS = 100;

  private final ArrayDeque<QueueView.RecentBatch> batches = new ArrayDeque<>();

  void add(long seq, Instant time, List<Update> batch) {
    int deletes = 0;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Update update = batch.get(i);
      deletes += update.isDelete() ? 1 : 0;
      if (i < KEYS_PER_BATCH) {
        String text = update.key().toString();
        String key = text.length() > KEY_CHARS ? text.substring(0, KEY_CHARS) + "…" : text;
        if (!keys.contains(key)) {
          keys.add(key);
        }
      }
    }
    if (batches.size() == KEPT) {
      batches.removeLast();
    }
    batches.addFirst(new QueueView.RecentBatch(seq, time, batch.size() - deletes, deletes, List.copyOf(keys)));
  }

  /** Newest first. */
  List<QueueView.RecentBatch> list() {
    return List.copyOf(batches);
  }
}
