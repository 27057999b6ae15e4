package org.syncbus.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.syncbus.owner.Replication;
import org.syncbus.queue.Deadline;
import org.syncbus.queue.IdempotencyKeys;

/**
 * A queue's replicated state, one entry of the {@code syncbus.queues} map: who owns it under which
 * term, and its history (a snapshot with its records' deadlines, and the batches since). Changed
 * only by the entry processors of {@link Processors}, which run where the entry lives and again on
 * its backups, so every copy changes alike; every processor that writes checks the term first (the
 * fencing token).
 */
final class QueueRecord implements Serializable {
  private static final long serialVersionUID = 3L;

  long term;
  String owner;
  String epoch;
  long seq;
  long snapshotSeq;
  String snapshot;
  List<Deadline> deadlines = List.of();
  ArrayList<Replication.Entry> log = new ArrayList<>();
  /** The idempotency keys of the history's batches still in their window, kept across compactions. */
  IdempotencyKeys keys = new IdempotencyKeys();

  QueueRecord copy() {
    QueueRecord copy = new QueueRecord();
    copy.term = term;
    copy.owner = owner;
    copy.epoch = epoch;
    copy.seq = seq;
    copy.snapshotSeq = snapshotSeq;
    copy.snapshot = snapshot;
    copy.deadlines = deadlines;
    copy.log = new ArrayList<>(log);
    copy.keys = new IdempotencyKeys(keys.list());
    return copy;
  }

  Replication.History history() {
    return new Replication.History(epoch, seq, snapshotSeq, snapshot, deadlines, List.copyOf(log), keys.list());
  }
}
