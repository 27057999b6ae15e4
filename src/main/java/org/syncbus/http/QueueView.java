package org.syncbus.http;

import java.time.Instant;
import java.util.List;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.EncodedBacklog;
import org.syncbus.queue.Key;

/**
 * One queue as an edge's mirror serves it, read-only, for routers mounted on the edge (the
 * console): its state, its records, and its last batches. Read on the edge's event loop only;
 * what it hands out is never modified afterwards, so it may be used elsewhere.
 */
public interface QueueView {
  SyncbusConfig.Queue config();

  /** Whether the mirror holds the owner's backlog (before, the rest says little). */
  boolean ready();

  /** The epoch of the history the mirror follows; null before it first synchronised. */
  String epoch();

  /** The seq of the last batch the mirror applied; -1 before it first synchronised. */
  long seq();

  /** The owner the mirror follows (a node id); null before it knows one. */
  String owner();

  /** Whether the mirror knows the owner and has not seen it go. */
  boolean ownerPresent();

  /** The records held now and their encoded bytes. */
  EncodedBacklog.Size size();

  /** The batches and the bytes held by the retained log for resuming clients. */
  int retainedBatches();

  long retainedBytes();

  /** The records now, in backlog order: their keys and encoded update elements (copies of the lists; the elements are shared). */
  Records backlog();

  /** The last batches the mirror applied, newest first (at most {@link RecentBatches#KEPT}). */
  List<RecentBatch> recentBatches();

  /** The records of a backlog: {@code elements.get(i)} is the update element of {@code keys.get(i)}. */
  record Records(List<Key> keys, List<byte[]> elements) {}

  /**
   * A batch as applied by a mirror: its seq, when the mirror applied it, how many updates and
   * deletes it held, and the keys it touched (each as JSON text; those of its first
   * {@link RecentBatches#KEYS_PER_BATCH} updates).
   */
  record RecentBatch(long seq, Instant time, int updates, int deletes, List<String> keys) {}
}
