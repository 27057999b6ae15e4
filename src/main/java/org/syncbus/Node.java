package org.syncbus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.syncbus.cluster.HazelcastMembership;
import org.syncbus.console.Console;
import org.syncbus.cluster.HazelcastReplication;
import org.syncbus.config.ReloadHistory;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.http.ClusterView;
import org.syncbus.http.EdgeResources;
import org.syncbus.http.SubscriberCounts;
import org.syncbus.limits.NodeLimits;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.support.ThrottledLog;
import org.syncbus.tls.ServerTls;
import java.util.logging.Logger;

/**
 * The wiring of one node (one Vert.x instance), shared by the copies of the main verticle
 * ({@code -instances N}) and by the launcher: the node's id, which copy deploys the queue owners
 * (there must be one owner per queue whatever N is), the running configuration, the subscriber
 * counts, the clock, the HTTP port, the reload trigger, the history of its reloads, its console
 * and, in a cluster, the view of its membership that its owners and edges follow.
 *
 * <p>Only the wiring sees it: every verticle is handed the parts it needs (its id, the running
 * configuration, the counts, the clock) when it is created.
 */
public final class Node implements Shareable {
  private static final String MAP = "syncbus.node";
  private static final String KEY = "node";

  private final String id;
  private final Clock clock;
  private final AtomicBoolean ownersClaimed = new AtomicBoolean();
  private final SubscriberCounts subscribers = new SubscriberCounts();
  private final ReloadHistory reloads;
  private Console console;
  private NodeMetrics metrics;
  private RunningConfig config;
  private EdgeResources edges;
  private HazelcastMembership membership;
  private volatile int httpPort = -1;
  private volatile Runnable reloadTrigger = () -> { };

  private Node(String id, Clock clock) {
    this.id = id;
    this.clock = clock;
    this.reloads = new ReloadHistory(clock);
  }

  /** The node of {@code vertx}, created by the first caller with {@code clock}. */
  static Node of(Vertx vertx, Clock clock) {
    LocalMap<String, Node> map = vertx.sharedData().getLocalMap(MAP);
    Node existing = map.get(KEY);
    if (existing != null) {
      return existing;
    }
    // In a cluster, the node id is the cluster's own, so that owners can be matched with members.
    String id = vertx.isClustered() ? HazelcastReplication.nodeIdOf(vertx) : UUID.randomUUID().toString();
    Node fresh = new Node(id, clock);
    Node raced = map.putIfAbsent(KEY, fresh);
    return raced == null ? fresh : raced;
  }

  /** The node of {@code vertx} once a main verticle started on it; null before. */
  public static Node of(Vertx vertx) {
    LocalMap<String, Node> map = vertx.sharedData().getLocalMap(MAP);
    return map.get(KEY);
  }

  public String id() {
    return id;
  }

  Clock clock() {
    return clock;
  }

  /** True for exactly one caller until {@link #releaseOwners()}: that one deploys the owners. */
  boolean claimOwners() {
    return ownersClaimed.compareAndSet(false, true);
  }

  void releaseOwners() {
    ownersClaimed.set(false);
  }

  /**
   * The node's running configuration: made from {@code loaded} by the first copy to ask, the same
   * for every later one (they follow its reloads).
   */
  synchronized RunningConfig config(SyncbusConfig loaded) {
    if (config == null) {
      config = new RunningConfig(loaded);
    }
    return config;
  }

  /**
   * What the node's edges share: the subscriber counts, the limits (worked out from the running
   * configuration by the first copy to ask), the throttled log of what clients cause and the HTTP
   * port's TLS.
   */
  synchronized EdgeResources edges(Vertx vertx, RunningConfig running) {
    if (edges == null) {
      SyncbusConfig config = running.get();
      edges = new EdgeResources(subscribers, NodeLimits.of(config.limits()),
          new ThrottledLog(Logger.getLogger("org.syncbus.clients"), clock),
          ServerTls.of(vertx, running, SyncbusConfig.Tls.HTTP, config.http().tls()),
          clusterView(vertx, config), metrics(running));
    }
    return edges;
  }

  /**
   * The node's membership in its Hazelcast cluster, followed from the first call on (with the
   * cluster's expected size, {@code cluster.members}); null when the node is not clustered on
   * Hazelcast.
   */
  public synchronized HazelcastMembership membership(Vertx vertx, int members) {
    if (membership == null && vertx.isClustered() && HazelcastReplication.hazelcastOf(vertx) != null) {
      membership = HazelcastMembership.follow(HazelcastReplication.hazelcastOf(vertx), members);
    }
    return membership;
  }

  /** The node's membership once followed (tests play a merge on it); null before, or without a cluster. */
  public synchronized HazelcastMembership membership() {
    return membership;
  }

  private ClusterView clusterView(Vertx vertx, SyncbusConfig config) {
    HazelcastMembership followed = membership(vertx, config.cluster().members());
    if (followed == null) {
      return ClusterView.SINGLE_NODE;
    }
    return new ClusterView() {
      @Override
      public boolean clustered() {
        return true;
      }

      @Override
      public boolean quorum() {
        return followed.quorum();
      }

      @Override
      public List<String> members() {
        return followed.nodes();
      }

      @Override
      public Runnable onNodeLeft(Consumer<String> handler) {
        return followed.onLeft(handler);
      }

      @Override
      public Runnable onMerged(Runnable handler) {
        return followed.onMerged(handler);
      }
    };
  }

  /** The node's last reloads: the reloader writes them, the console shows them. */
  ReloadHistory reloads() {
    return reloads;
  }

  /**
   * The node's console (README, "Console"), made by the first copy to ask: one per node, so that
   * its sessions and its history are the same whichever edge a request reaches.
   */
  synchronized Console console(Vertx vertx, RunningConfig running) {
    if (console == null) {
      EdgeResources shared = edges(vertx, running);
      console = new Console(id, running, shared.metrics(), shared.cluster(), reloads, clock);
    }
    return console;
  }

  /**
   * What the node counts for {@code /metrics}: made by the first caller, on or off as the running
   * configuration says ({@code metrics.enabled}), then turned on and off as reloads change it.
   */
  synchronized NodeMetrics metrics(RunningConfig running) {
    if (metrics == null) {
      metrics = new NodeMetrics(running.get().metrics().enabled(), clock);
    }
    return metrics;
  }

  public SubscriberCounts subscribers() {
    return subscribers;
  }

  /** The port the HTTP edges listen on (the chosen one when configured as 0), or -1 before. */
  public int httpPort() {
    return httpPort;
  }

  void httpPort(int port) {
    httpPort = port;
  }

  /** What {@link #reload()} does: set by whoever watches the configuration file. */
  void reloadTrigger(Runnable trigger) {
    reloadTrigger = trigger;
  }

  /** Reads the configuration file now (SIGHUP). */
  public void reload() {
    reloadTrigger.run();
  }
}
