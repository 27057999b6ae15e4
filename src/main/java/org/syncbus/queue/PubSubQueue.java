package org.syncbus.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a queue does with the batches published to it: the extension point that the original
 * called {@code BasePubSubQueue}.
 *
 * <p>In syncbus the subscribers are not held here: they belong to the edges (HTTP connections,
 * bridges), which follow the owner's stream of applied batches. A queue implementation decides
 * what state a batch leads to and which batches the queue publishes by itself ({@link #tick}): the
 * keyed default keeps every record until deleted, the expiring queue deletes records that were
 * not refreshed in time. Implementations are single-threaded: their owner calls them from one
 * thread only.
 */
public interface PubSubQueue {
  /** The primary-key field of every record. */
  String pk();

  /** Applies a validated batch and returns the change metadata (PROTOCOL.md). */
  Map<Key, Change> apply(List<Update> batch);

  /**
   * Applies a batch of a replicated history as it was applied at {@code at}, so that what the
   * queue keeps about time (a record's deadline) follows from when the batch was first applied,
   * not from now. Also how an owner applies a new batch at the time it records with it.
   */
  default Map<Key, Change> apply(List<Update> batch, Instant at) {
    return apply(batch);
  }

  /**
   * What the queue keeps about time, to be replicated with a snapshot of its records: every
   * record's deadline, in the order they run out; empty when records never expire.
   */
  default List<Deadline> deadlines() {
    return List.of();
  }

  /**
   * Puts back the deadlines {@link #deadlines()} returned, once the records of the snapshot they
   * go with are applied. A listed key the queue does not hold is ignored.
   */
  default void restore(List<Deadline> deadlines) {
    // a queue without time has nothing to restore
  }

  /** The current backlog: one update per record, in backlog order. */
  List<Update> snapshot();

  /** How many records the backlog holds. */
  int size();

  /**
   * The batch this queue wants published by itself at {@code now} (e.g. deletions of expired
   * records), or an empty list. The owner publishes it like any other batch, which applies it.
   */
  default List<Update> tick(Instant now) {
    return List.of();
  }
}
