package org.syncbus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.owner.QueueVerticle;
import org.syncbus.owner.Replication;

/** The node's queue owners: one {@link QueueVerticle} deployment per queue, added and removed by name. */
final class QueueOwners {
  private final Vertx vertx;
  private final RunningConfig running;
  private final String nodeId;
  private final Clock clock;
  private final BiFunction<Vertx, String, Replication> replications;
  private final NodeMetrics metrics;
  private final Map<String, String> deployments = new HashMap<>();

  QueueOwners(Vertx vertx, RunningConfig running, String nodeId, Clock clock,
              BiFunction<Vertx, String, Replication> replications, NodeMetrics metrics) {
    this.vertx = vertx;
    this.running = running;
    this.nodeId = nodeId;
    this.clock = clock;
    this.replications = replications;
    this.metrics = metrics;
  }

  Future<Void> deploy(Collection<SyncbusConfig.Queue> queues) {
    return Future.all(queues.stream().map(this::deploy).toList()).mapEmpty();
  }

  Future<Void> deploy(SyncbusConfig.Queue queue) {
    return vertx.deployVerticle(new QueueVerticle(queue, running, nodeId, clock, replications,
            metrics.queue(queue.name())))
        .onSuccess(id -> deployments.put(queue.name(), id))
        .mapEmpty();
  }

  /** Stops owning {@code queue}: batches in flight are answered first; in a cluster it is handed over. */
  Future<Void> undeploy(String queue) {
    String id = deployments.remove(queue);
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }
}
