package org.syncbus.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Addresses;
import org.syncbus.owner.Replication;
import org.syncbus.queue.Deadline;

/**
 * A queue's history replicated through Hazelcast, and its ownership.
 *
 * <p>The whole state of a queue is one entry of the map {@code syncbus.queues} (stored as objects,
 * changed in place by entry processors, synchronous backups): the current owner, its term, the
 * epoch, a snapshot and the log of batches since. Appending a batch is a processor that checks the
 * owner's term and returns once the primary and its backups hold the batch, so an acknowledged
 * batch survives the death of any one node.
 *
 * <p>Hazelcast's locks carry no fencing token, so ownership is the term: taking the queue over
 * increments it, and every write of a previous owner is refused from then on. A node takes a queue
 * over when its record names no owner (released by a graceful stop) or an owner that is no longer
 * a cluster member; it tries again whenever a member leaves or joins, when an owner announces its
 * release on {@code syncbus.Q.handover}, and every few seconds. A take-over that did not follow a
 * release continues the history under a new epoch ({@link Processors.TakeOver}).
 *
 * <p><b>Majority or nothing.</b> Every call runs only in a side of the cluster holding a majority
 * of {@code cluster.members} (Hazelcast's split-brain protection, and {@link Majority} inside the
 * call): a node cut off with a minority stores nothing, acknowledges nothing and takes nothing
 * over; it waits, trying again every second, and says so once. An owner confirms its term before
 * it hands anyone its backlog ({@link #confirm}), and when its side merges back into the
 * majority's it confirms at once: if the majority took the queue over, it steps down
 * ({@link #lostHandler}).
 */
public final class HazelcastReplication implements Replication {
  static final String MAP = "syncbus.queues";
  private static final Logger LOG = Logger.getLogger(HazelcastReplication.class.getName());
  private static final long RETRY_MILLIS = 3000;
  /** Waiting for a majority: Hazelcast's view of it changes within a heartbeat (1 s in conf/cluster.xml). */
  private static final long NO_MAJORITY_RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, QueueRecord> records;
  private final HazelcastMembership membership;
  private final Clock clock;
  private final int majority;
  private final String queue;
  private final String node;
  private long term;
  private boolean claiming;
  private boolean waitingForMajority;
  private Promise<History> waiting;
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private MessageConsumer<String> handovers;
  private long retryTimer = -1;
  private Handler<String> lostHandler = why -> { };

  private HazelcastReplication(Vertx vertx, HazelcastInstance hazelcast, HazelcastMembership membership, Clock clock,
                               String queue, String node) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.records = hazelcast.getMap(MAP);
    this.membership = membership;
    this.clock = clock;
    this.majority = ClusterSetup.minimumSize(hazelcast);
    this.queue = queue;
    this.node = node;
  }

  /** Internal, clustered: an owner that gave its queue up says so here, and the other nodes take it over. */
  private static String handover(String queue) {
    return Addresses.PREFIX + queue + ".handover";
  }

  /** The Hazelcast instance of a clustered Vert.x, or null when it is not clustered on Hazelcast. */
  public static HazelcastInstance hazelcastOf(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager instanceof HazelcastClusterManager hz ? hz.getHazelcastInstance() : null;
  }

  /** This node's id in the cluster. */
  public static String nodeIdOf(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager().getNodeId();
  }

  /**
   * The replication of {@code queue}, used from the calling verticle's context, following the
   * node's {@code membership}; new epochs are dated by {@code clock}.
   */
  public static HazelcastReplication create(Vertx vertx, String queue, HazelcastMembership membership, Clock clock) {
    return new HazelcastReplication(vertx, hazelcastOf(vertx), membership, clock, queue, nodeIdOf(vertx));
  }

  @Override
  public void lostHandler(Handler<String> handler) {
    lostHandler = handler;
  }

  @Override
  public Future<History> acquire() {
    if (waiting == null || waiting.future().isComplete()) {
      waiting = Promise.promise();
      listen();
      tryTakeOver();
    }
    return waiting.future();
  }

  private void listen() {
    if (handovers == null) {
      // A member that leaves may have owned the queue; one that joins may complete a majority.
      unsubscribe.add(membership.onLeft(left -> context.runOnContext(v -> tryTakeOver())));
      unsubscribe.add(membership.onJoined(joined -> context.runOnContext(v -> tryTakeOver())));
      unsubscribe.add(membership.onMerged(() -> context.runOnContext(v -> afterMerge())));
      handovers = vertx.eventBus().consumer(handover(queue), message -> tryTakeOver());
    }
  }

  private void tryTakeOver() {
    if (waiting == null || waiting.future().isComplete() || claiming) {
      return;
    }
    vertx.cancelTimer(retryTimer);
    Set<String> live = Set.copyOf(((VertxInternal) vertx).clusterManager().getNodes());
    if (membership.merging() || live.size() < membership.size()) {
      // In the middle of a merge, or with a member whose node id this node does not see yet, the
      // queue's owner could count as gone while it lives, and the queue be taken from it. The
      // merge's end (afterMerge) tries again at once.
      retryTimer = vertx.setTimer(NO_MAJORITY_RETRY_MILLIS, id -> tryTakeOver());
      return;
    }
    claiming = true;
    call(new Processors.TakeOver(node, live, Replication.newEpoch(clock)))
        .onComplete(done -> claiming = false)
        .onSuccess(result -> {
          if (waitingForMajority) {
            waitingForMajority = false;
            LOG.info(() -> "queue " + queue + ": this node's side of the cluster holds a majority again");
          }
          switch (result.claim()) {
            case ABSENT -> waiting.tryComplete(null);
            case CLAIMED -> {
              term = result.term();
              LOG.info(() -> "queue " + queue + ": taken over with term " + term + ", epoch " + result.history().epoch()
                  + (result.owner() == null ? " (released)" : " from node " + result.owner() + ", not a member now"));
              waiting.tryComplete(result.history());
            }
            case OWNED -> retryTimer = vertx.setTimer(RETRY_MILLIS, id -> tryTakeOver());
          }
        })
        .onFailure(error -> {
          if (error instanceof NoMajority) {
            if (!waitingForMajority) {
              waitingForMajority = true;
              LOG.warning(() -> "queue " + queue + ": " + error.getMessage() + "; this node takes nothing over "
                  + "until it sees a majority again");
            }
            retryTimer = vertx.setTimer(NO_MAJORITY_RETRY_MILLIS, id -> tryTakeOver());
            return;
          }
          LOG.warning(() -> "queue " + queue + ": cannot read its replicated state (" + error.getMessage()
              + "); trying again in " + RETRY_MILLIS + " ms");
          retryTimer = vertx.setTimer(RETRY_MILLIS, id -> tryTakeOver());
        });
  }

  /**
   * This node's side of a split cluster merged into the other. Waiting for the queue, it tries at
   * once; owning it without having written meanwhile, it checks that the term is still its own.
   */
  private void afterMerge() {
    if (waiting != null && !waiting.future().isComplete()) {
      tryTakeOver();
      return;
    }
    if (term > 0) {
      confirm().onFailure(error -> LOG.fine(() -> "queue " + queue + ": after the merge, " + error.getMessage()));
    }
  }

  @Override
  public Future<Void> confirm() {
    long owned = term;
    if (owned == 0) {
      return Future.failedFuture("this node does not own the queue");
    }
    return call(new Processors.Confirm(node, owned)).compose(current -> {
      if (current) {
        return Future.succeededFuture();
      }
      String why = "another node holds the queue now (term " + owned + " ended)";
      if (term == owned) {
        lostHandler.handle(why);
      }
      return Future.failedFuture(why);
    });
  }

  @Override
  public Future<Void> create(History initial) {
    return call(new Processors.Create(node, initial)).compose(created -> {
      if (created == 0) {
        return Future.failedFuture("another node started the queue's history first");
      }
      term = created;
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> append(List<Entry> entries, SyncbusConfig.Idempotency window) {
    return call(new Processors.Append(term, entries, window.keys(), window.windowMillis()))
        .compose(stored -> stored ? Future.succeededFuture()
            : Future.failedFuture("term " + term + " is no longer current: another node owns the queue"));
  }

  @Override
  public Future<Void> compact(long seq, String snapshot, List<Deadline> deadlines) {
    return call(new Processors.Compact(term, seq, snapshot, deadlines))
        .compose(done -> done ? Future.succeededFuture()
            : Future.failedFuture("term " + term + " is no longer current: another node owns the queue"));
  }

  /**
   * Gives the queue up. Without a majority nothing can be written: the queue is then left to the
   * node that takes it over once this one is gone.
   */
  @Override
  public Future<Void> release() {
    vertx.cancelTimer(retryTimer);
    unsubscribe.forEach(Runnable::run);
    unsubscribe.clear();
    Future<Void> unregistered = handovers == null ? Future.succeededFuture() : handovers.unregister();
    handovers = null;
    if (term == 0) {
      return unregistered;
    }
    long released = term;
    term = 0;
    return unregistered
        .compose(v -> call(new Processors.Release(released)))
        .map(done -> {
          if (done) {
            LOG.info(() -> "queue " + queue + ": handed over (term " + released + ")");
            vertx.eventBus().publish(handover(queue), node);
          }
          return (Void) null;
        })
        .recover(error -> {
          LOG.warning(() -> "queue " + queue + ": cannot hand it over (" + error.getMessage() + "); another node "
              + "takes it over once this one has left");
          return Future.succeededFuture();
        });
  }

  @Override
  public boolean replicates() {
    return true;
  }

  /**
   * Runs {@code write} on the queue's entry where a majority is seen; a refusal for want of one
   * fails as {@link NoMajority}, on this verticle's context.
   */
  private <T> Future<T> call(EntryProcessor<String, QueueRecord, T> write) {
    CompletionStage<T> stage = records.submitToKey(queue, new Majority<>(majority, write));
    return Future.fromCompletionStage(stage, context).recover(error -> {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        if (cause instanceof SplitBrainProtectionException) {
          return Future.failedFuture(new NoMajority(majority));
        }
      }
      return Future.failedFuture(error);
    });
  }

  /** A write refused because this node's side of the cluster does not hold a majority of {@code cluster.members}. */
  static final class NoMajority extends RuntimeException {
    NoMajority(int majority) {
      super("this node's side of the cluster has fewer than " + majority + " members, a majority of cluster.members",
          null, false, false);
    }
  }
}
