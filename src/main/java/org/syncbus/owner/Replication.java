package org.syncbus.owner;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.io.Serializable;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.Deadline;
import org.syncbus.queue.IdempotencyKeys;

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
  /**
   * One applied batch as replicated: its seq, its JSON array text, when it was applied (an
   * absolute time, so that what the queue derives from it, a record's deadline, outlives the
   * owner), and the idempotency key it was published with (null without).
   */
  record Entry(long seq, String array, long atMillis, IdempotencyKeys.Applied key) implements Serializable {}

  /**
   * A history to continue: the backlog at {@code snapshotSeq} (a JSON array of updates) with its
   * records' deadlines (empty for a queue whose records never expire), the batches after it, in
   * order, up to {@code seq}, and the idempotency keys still remembered, oldest first (compaction
   * keeps them: their window is theirs, {@code queues.Q.idempotency}).
   */
  record History(String epoch, long seq, long snapshotSeq, String snapshot, List<Deadline> deadlines, List<Entry> log,
                 List<IdempotencyKeys.Applied> keys) implements Serializable {}

  /**
   * Completes when this node may own the queue: with the history to continue, or with null when
   * there is none yet (the owner then loads the initial backlog and calls {@link #create}).
   */
  Future<History> acquire();

  /** Starts the queue's history; fails if another node started one meanwhile (acquire again). */
  Future<Void> create(History initial);

  /**
   * Stores applied batches, in seq order, before they are acknowledged, with their idempotency
   * keys; the stored keys are then pruned to {@code window}.
   */
  Future<Void> append(List<Entry> entries, SyncbusConfig.Idempotency window);

  /** Replaces the stored history up to {@code seq} by the backlog at that point and its deadlines. */
  Future<Void> compact(long seq, String snapshot, List<Deadline> deadlines);

  /** Gives the queue up (graceful stop) so that another node takes it over at once. */
  Future<Void> release();

  /** False when nothing is replicated: the owner then acknowledges batches at once. */
  boolean replicates();

  /**
   * Completes if this node still owns the queue under its term; fails otherwise (and, when
   * another node holds the queue now, calls the {@link #lostHandler}).
   */
  default Future<Void> confirm() {
    return Future.succeededFuture();
  }

  /**
   * Sets what is called, on the owner's context and with the reason, when this node learns that
   * another node holds the queue now without having tried to write (its side of a split cluster
   * merged into the other side, whose owner took the queue over): the owner steps down as it
   * would on a refused write.
   */
  default void lostHandler(Handler<String> handler) {
    // a single node never loses its queue
  }

  /**
   * A new history's epoch: the time it started and a random part, so that no two histories share
   * one (a history started afresh, or continued by an owner that cannot prove it is the one its
   * previous owner served).
   */
  static String newEpoch(Clock clock) {
    return Long.toString(clock.millis(), 36) + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

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
    public Future<Void> append(List<Entry> entries, SyncbusConfig.Idempotency window) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> compact(long seq, String snapshot, List<Deadline> deadlines) {
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
