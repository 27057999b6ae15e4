// A syncbus queue as a page keeps it, from a snapshot and the batches after it: the records by
// primary key in backlog order, and where it stands in the queue's history (epoch, seq). Shared
// by the example pages (events.html, sockjs.html, sockjs-vertx3.html).
//
// The rules are PROTOCOL.md's, "Records, updates, batches": an update creates or replaces the
// record with its key (a replaced record keeps its place), a delete removes it. Batches are
// numbered one by one within an epoch; a page that sees a number skip has missed a batch, and
// must not go on as if it had not: it says so (`apply` returns false) and fetches a snapshot.
export class QueueState {
  /** @param pk the queue's primary-key field (`queues.Q.pk`) */
  constructor(pk) {
    this.pk = pk;
    this.epoch = null;
    this.seq = null;
    this.records = new Map();
  }

  /** A snapshot `{epoch, seq, snapshot: [updates…]}` replaces everything the page knew. */
  replace({ epoch, seq, snapshot }) {
    this.epoch = epoch;
    this.seq = seq;
    this.records = new Map();
    this.applyUpdates(snapshot);
  }

  /**
   * Batch `seq` of the current epoch: applied when it is the next one, ignored when the state
   * already holds it (a batch that raced its own snapshot); false when batches are missing.
   */
  apply(seq, batch) {
    if (this.seq === null || seq > this.seq + 1) {
      return false;
    }
    if (seq === this.seq + 1) {
      this.applyUpdates(batch);
      this.seq = seq;
    }
    return true;
  }

  applyUpdates(updates) {
    for (const { type, data } of updates) {
      if (type === 'delete') {
        this.records.delete(data[this.pk]);
      } else {
        this.records.set(data[this.pk], data);
      }
    }
  }

  /** The records, in the queue's backlog order. */
  list() {
    return [...this.records.values()];
  }
}
