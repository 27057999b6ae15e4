package org.syncbus.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;
import org.syncbus.contract.Addresses;
import org.syncbus.owner.Replication;

/**
 * A queue's history replicated through Hazelcast, and its ownership.
 *
 * <p>The whole state of a queue is one entry of the map {@code syncbus.queues} (stored as objects,
 * changed in place by entry processors, one synchronous backup): the current owner, its term, the
 * epoch, a snapshot and the log of batches since. Appending a batch is a processor that checks the
 * owner's term and returns once the primary and its backup hold the batch, so an acknowledged batch
 * survives the death of any one node.
 *
 * <p>Hazelcast's locks carry no fencing token, so ownership is the term: taking the queue over
 * increments it, and every write of a previous owner is refused from then on. A node takes a queue
 * over when its record names no owner (released by a graceful stop) or an owner that is no longer
 * a cluster member; it tries again whenever a member leaves, when an owner announces its release
 * on {@code syncbus.Q.handover}, and every few seconds.
 */
public final class HazelcastReplication implements Replication {
  static final String MAP = "syncbus.queues";
  private static final Logger LOG = Logger.getLogger(HazelcastReplication.class.getName());
  private static final long RETRY_MILLIS = 3000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, QueueRecord> records;
  private final String queue;
  private final String node;
  private long term;
  private boolean claiming;
  private Promise<History> waiting;
  private UUID membershipListener;
  private MessageConsumer<String> handovers;
  private long retryTimer = -1;

  private HazelcastReplication(Vertx vertx, Context context, HazelcastInstance hazelcast, String queue, String node) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.records = hazelcast.getMap(MAP);
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
   * Makes sure the queues map is stored as objects with a synchronous backup, even when the
   * cluster configuration does not say so. Blocking: call it on a worker.
   */
  public static void configure(HazelcastInstance hazelcast) {
    if (hazelcast.getConfig().getMapConfigOrNull(MAP) == null) {
      hazelcast.getConfig().addMapConfig(new MapConfig(MAP).setInMemoryFormat(InMemoryFormat.OBJECT).setBackupCount(1));
    }
  }

  /** The replication of {@code queue}, used from the calling verticle's context. */
  public static HazelcastReplication create(Vertx vertx, String queue) {
    return new HazelcastReplication(vertx, vertx.getOrCreateContext(), hazelcastOf(vertx), queue, nodeIdOf(vertx));
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
    if (membershipListener == null) {
      membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          // a new member never frees a queue
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          context.runOnContext(v -> tryTakeOver());
        }
      });
      handovers = vertx.eventBus().consumer(handover(queue), message -> tryTakeOver());
    }
  }

  private void tryTakeOver() {
    if (waiting == null || waiting.future().isComplete() || claiming) {
      return;
    }
    claiming = true;
    vertx.cancelTimer(retryTimer);
    Set<String> live = Set.copyOf(((VertxInternal) vertx).clusterManager().getNodes());
    call(records.submitToKey(queue, new Processors.TakeOver(node, live)))
        .onComplete(done -> claiming = false)
        .onSuccess(result -> {
          switch (result.claim()) {
            case ABSENT -> waiting.tryComplete(null);
            case CLAIMED -> {
              term = result.term();
              LOG.info(() -> "queue " + queue + ": taken over with term " + term);
              waiting.tryComplete(result.history());
            }
            case OWNED -> retryTimer = vertx.setTimer(RETRY_MILLIS, id -> tryTakeOver());
          }
        })
        .onFailure(error -> {
          LOG.warning(() -> "queue " + queue + ": cannot read its replicated state (" + error.getMessage()
              + "); trying again in " + RETRY_MILLIS + " ms");
          retryTimer = vertx.setTimer(RETRY_MILLIS, id -> tryTakeOver());
        });
  }

  @Override
  public Future<Void> create(History initial) {
    return call(records.submitToKey(queue, new Processors.Create(node, initial))).compose(created -> {
      if (created == 0) {
        return Future.failedFuture("another node started the queue's history first");
      }
      term = created;
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> append(List<Entry> entries) {
    return call(records.submitToKey(queue, new Processors.Append(term, entries)))
        .compose(stored -> stored ? Future.succeededFuture()
            : Future.failedFuture("term " + term + " is no longer current: another node owns the queue"));
  }

  @Override
  public Future<Void> compact(long seq, String snapshot) {
    return call(records.submitToKey(queue, new Processors.Compact(term, seq, snapshot)))
        .compose(done -> done ? Future.succeededFuture()
            : Future.failedFuture("term " + term + " is no longer current: another node owns the queue"));
  }

  @Override
  public Future<Void> release() {
    vertx.cancelTimer(retryTimer);
    if (membershipListener != null) {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      membershipListener = null;
    }
    Future<Void> unregistered = handovers == null ? Future.succeededFuture() : handovers.unregister();
    if (term == 0) {
      return unregistered;
    }
    return unregistered
        .compose(v -> call(records.submitToKey(queue, new Processors.Release(term))))
        .map(released -> {
          if (released) {
            LOG.info(() -> "queue " + queue + ": handed over (term " + term + ")");
            vertx.eventBus().publish(handover(queue), node);
          }
          return null;
        });
  }

  @Override
  public boolean replicates() {
    return true;
  }

  private <T> Future<T> call(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }
}
