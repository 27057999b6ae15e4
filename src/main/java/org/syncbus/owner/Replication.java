package org.syncbus.owner;

import io.vertx.core.Future;
import java.io.Serializable;
import java.util.List;

/**
 * Where a queue's owner keeps its history so that it outlives the owner: nowhere on a single node,
 * replicated in the cluster. The owner calls it from its event loop only.
 *
 * <p>The contract that makes acknowledgements safe: {@link #append} completes only once the
 * batches are stored durably enough to survive the owner's death, and fails once another node has
 * taken the queue over (the owner's term is stale): the owner then acknowledges nothing more and
 * steps down.
 */
public interface Replication {
  /** One applied batch as replicated: its seq and its JSON array text. */
  record Entry(long seq, String array) implements Serializable {}

  /**
   * A history to continue: the backlog at {@code snapshotSeq} (a JSON array of updates) and the
   * batches after it, in order, up to {@code seq}.
   */
  record History(String epoch, long seq, long snapshotSeq, String snapshot, List<Entry> log) implements Serializable {}

  /**
   * Completes when this node may own the queue: with the history to continue, or with null when
   * there is none yet (the owner then loads the initial backlog and calls {@link #create}).
   */
  Future<History> acquire();

  /** Starts the queue's history; fails if another node started one meanwhile (acquire again). */
  Future<Void> create(History initial);

  /** Stores applied batches, in seq order, before they are acknowledged. */
  Future<Void> append(List<Entry> entries);

  /** Replaces the stored history up to {@code seq} by the backlog at that point. */
  Future<Void> compact(long seq, String snapshot);

  /** Gives the queue up (graceful stop) so that another node takes it over at once. */
  Future<Void> release();

  /** False when nothing is replicated: the owner then acknowledges batches at once. */
  boolean replicates();

  /** A single node: the owner owns its queue from the start and its history dies with it. */
  Replication LOCAL = new Replication() {
    @Override
    public Future<History> acquire() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> create(History initial) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> append(List<Entry> entries) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> compact(long seq, String snapshot) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> release() {
      return Future.succeededFuture();
    }

    @Override
    public boolean replicates() {
      return false;
    }
  };
}
