package org.syncbus.cluster;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.syncbus.owner.Replication;
import org.syncbus.queue.Deadline;
import org.syncbus.queue.IdempotencyKeys;

/**
 * The operations on a {@link QueueRecord}. Each runs atomically on the entry's partition and, for
 * the ones that write, once more on each synchronous backup (Hazelcast's default backup processor
 * is the processor itself), so the call returns only once every copy holds the change; a backup
 * that does not answer fails the call ({@code hazelcast.operation.fail.on.indeterminate.state},
 * set by {@link ClusterSetup}). The owner's calls run inside {@link Majority}.
 */
final class Processors {
  private Processors() {}

  /** What a claim found. */
  enum Claim { ABSENT, CLAIMED, OWNED }

  /**
   * What a claim found: the term, and the owner (the one that holds the queue when {@code OWNED},
   * the one it was taken from, or null, when {@code CLAIMED}).
   */
  record ClaimResult(Claim claim, long term, String owner, Replication.History history) implements Serializable {}

  /**
   * Takes the queue if nobody owns it or its owner is not a live member: the term goes up by one,
   * which fences off whatever the previous owner still tries to write.
   *
   * <p><b>One history per epoch.</b> The history continues in its epoch only after a hand-over
   * (the owner released the queue once every batch it had published was stored). Any other take-over
   * (the owner died, was cut off, or is this node after stepping down) cannot prove that the stored
   * history is the one the previous owner served: a write it made on the other side of a split
   * cluster may be about to be discarded, or this history may be the one Hazelcast keeps when the
   * sides merge. It continues under {@code newEpoch}, from the same seq, so a client resuming
   * from the previous epoch is reset rather than resumed on a history it may never have seen.
   */
  record TakeOver(String node, Set<String> liveMembers, String newEpoch)
      implements EntryProcessor<String, QueueRecord, ClaimResult> {
    @Override
    public ClaimResult process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      if (record == null) {
        return new ClaimResult(Claim.ABSENT, 0, null, null);
      }
      if (record.owner != null && !record.owner.equals(node) && liveMembers.contains(record.owner)) {
        return new ClaimResult(Claim.OWNED, record.term, record.owner, null);
      }
      String previous = record.owner;
      if (previous != null) {
        record.epoch = newEpoch;
      }
      record.term++;
      record.owner = node;
      entry.setValue(record);
      return new ClaimResult(Claim.CLAIMED, record.term, previous, record.copy().history());
    }
  }

  /** Starts the history if there is none; returns the term, or 0 when another node was first. */
  record Create(String node, Replication.History initial) implements EntryProcessor<String, QueueRecord, Long> {
    @Override
    public Long process(Map.Entry<String, QueueRecord> entry) {
      if (entry.getValue() != null) {
        return 0L;
      }
      QueueRecord record = new QueueRecord();
      record.term = 1;
      record.owner = node;
      record.epoch = initial.epoch();
      record.seq = initial.seq();
      record.snapshotSeq = initial.snapshotSeq();
      record.snapshot = initial.snapshot();
      record.deadlines = List.copyOf(initial.deadlines());
      record.log = new ArrayList<>(initial.log());
      record.keys = new IdempotencyKeys(initial.keys());
      entry.setValue(record);
      return record.term;
    }
  }

  /**
   * Appends batches if {@code term} is still current and they follow the stored ones, and
   * remembers their idempotency keys, pruned to the last {@code maxKeys} within {@code windowMillis}
   * of the newest (the same rule as the owner's, from the batches' own times, so that every copy
   * keeps the same keys).
   */
  record Append(long term, List<Replication.Entry> entries, int maxKeys, long windowMillis)
      implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      if (record == null || record.term != term || entries.get(0).seq() != record.seq + 1) {
        return false;
      }
      record.keys.addAll(entries.stream().map(Replication.Entry::key).filter(Objects::nonNull).toList(),
          record.epoch, maxKeys, windowMillis);
      record.log.addAll(entries);
      record.seq = entries.get(entries.size() - 1).seq();
      entry.setValue(record);
      return true;
    }
  }

  /** Replaces the log up to {@code seq} by the backlog at {@code seq}, if {@code term} is still current. */
  record Compact(long term, long seq, String snapshot, List<Deadline> deadlines)
      implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      if (record == null || record.term != term || seq > record.seq) {
        return false;
      }
      record.snapshot = snapshot;
      record.deadlines = List.copyOf(deadlines);
      record.snapshotSeq = seq;
      record.log.removeIf(logged -> logged.seq() <= seq);
      entry.setValue(record);
      return true;
    }
  }

  /** Gives the queue up (graceful stop), if {@code term} is still current. */
  record Release(long term) implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      if (record == null || record.term != term) {
        return false;
      }
      record.owner = null;
      entry.setValue(record);
      return true;
    }
  }

  /** Whether {@code node} still owns the queue under {@code term}; writes nothing. */
  record Confirm(String node, long term) implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      return record != null && record.term == term && node.equals(record.owner);
    }
  }
}
