package org.syncbus.console;

import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.syncbus.config.ReloadHistory;
import org.syncbus.config.RunningConfig;
import org.syncbus.http.ClusterView;
import org.syncbus.http.Mount;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.metrics.QueueMeters;

/**
 * The live console in the browser (README, "Console"): one per node, shared by the node's edges.
 *
 * <p><b>What it is made of.</b> A static page served by every edge at {@code /console/}
 * ({@link ConsoleRoutes}, mounted through {@link Mount} so that {@code http} does not know the
 * console), a handful of admin JSON endpoints and one server-sent event stream under
 * {@code /console/api/}, and one verticle per node ({@link ConsoleVerticle}) that keeps the
 * per-second history ({@link QueueRates}) and answers the other nodes of a cluster with this node's
 * subscriber counts ({@link NodeCounts}).
 *
 * <p><b>Where its data comes from.</b> Nothing is counted for the console alone on a hot path: a
 * queue's state, records and last batches are the edge's mirror's ({@link org.syncbus.http.QueueView}),
 * subscribers and delivered lines are the node's meters' ({@link NodeMetrics}, kept whether or not
 * {@code metrics.enabled}), refusals and reloads the node's bounded lists of the last ones. So a
 * console open or closed costs the node's clients nothing, and everything it keeps is bounded.
 *
 * <p><b>Who sees it.</b> Every endpoint but the page itself and the login needs an admin
 * credential ({@code admin.token}, or a JWT with {@code admin} on {@code *}), exchanged once for a
 * session cookie ({@link Sessions}); {@code console.enabled} decides whether the node serves it at
 * all, read per request so that a reload turns it on or off.
 */
public final class Console {
  private final String nodeId;
  private final RunningConfig running;
  private final NodeMetrics metrics;
  private final ClusterView cluster;
  private final ReloadHistory reloads;
  private final Clock clock;
  private final Sessions sessions;
  private final QueueRates rates = new QueueRates();
  private final ConsoleFiles files = new ConsoleFiles();

  /**
   * @param nodeId this node's id, as owners and members are named
   * @param running the node's configuration ({@code console.enabled}, the queues, the cluster's size)
   * @param metrics the node's meters and its last refusals
   * @param cluster the node's view of its cluster: members and quorum
   * @param reloads the node's last reloads
   * @param clock dates sessions
   */
  public Console(String nodeId, RunningConfig running, NodeMetrics metrics, ClusterView cluster,
                 ReloadHistory reloads, Clock clock) {
    this.nodeId = nodeId;
    this.running = running;
    this.metrics = metrics;
    this.cluster = cluster;
    this.reloads = reloads;
    this.clock = clock;
    this.sessions = new Sessions(clock);
  }

  /** The console's routes, for one edge: mounted at {@code /console}. */
  public Mount routes() {
    return new ConsoleRoutes(this);
  }

  /** The node's console verticle: deploy one per node. */
  public VerticleBase verticle() {
    return new ConsoleVerticle(this);
  }

  /** One second passed: each configured queue's totals go into its history. */
  void tick() {
    Map<String, QueueRates.Totals> totals = new HashMap<>();
    for (String queue : running.get().queues().keySet()) {
      QueueMeters meters = metrics.queue(queue);
      totals.put(queue, new QueueRates.Totals(meters.batchesServed(), meters.deliveredLines()));
    }
    rates.tick(totals);
  }

  /** This node's subscriber counts, for its own overview and for the other nodes asking. */
  JsonObject counts() {
    return NodeCounts.of(nodeId, metrics, running.get().queues().keySet());
  }

  String nodeId() {
    return nodeId;
  }

  RunningConfig running() {
    return running;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  ClusterView cluster() {
    return cluster;
  }

  ReloadHistory reloads() {
    return reloads;
  }

  Clock clock() {
    return clock;
  }

  Sessions sessions() {
    return sessions;
  }

  QueueRates rates() {
    return rates;
  }

  ConsoleFiles files() {
    return files;
  }
}
