package org.syncbus;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.bridge.BridgeVerticle;
import org.syncbus.bridge.SockJsBridge;
import org.syncbus.cluster.ClusterSetup;
import org.syncbus.cluster.HazelcastMembership;
import org.syncbus.cluster.HazelcastReplication;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigFile;
import org.syncbus.config.Exposure;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.http.EdgeResources;
import org.syncbus.http.HttpVerticle;
import org.syncbus.http.Mount;
import org.syncbus.limits.NodeLimits;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.owner.QueueVerticle;
import org.syncbus.owner.Replication;
import org.syncbus.queue.Json;
import org.syncbus.tls.ServerTls;

/**
 * The main verticle: reads the configuration and deploys the node's verticles; nothing else.
 *
 * <p>Its configuration is either {@code {"configFile": PATH}} (what the launcher passes for
 * {@code -conf}), or the syncbus configuration itself (when another application deploys it), or
 * empty: then {@code conf/syncbus.json} from the working directory.
 *
 * <p>With {@code -instances N} there are N copies sharing one {@link Node}: the first to claim it
 * deploys one {@link QueueVerticle} per queue, and every copy deploys one {@link HttpVerticle} edge,
 * so a node has N edges and exactly one owner per queue. The first copy also deploys the TCP bridge
 * ({@link BridgeVerticle}) when enabled, and the console's verticle; the SockJS bridge and the
 * console are mounted on every edge. Each verticle
 * is handed what it needs (the running configuration, the node's id, the clock) here. The TLS
 * ports' certificates ({@link ServerTls}) are loaded before anything is deployed, and watched by
 * the first copy for as long as it runs.
 */
public final class SyncbusVerticle extends VerticleBase {
  /** The configuration key naming the file to read. */
  public static final String CONFIG_FILE = "configFile";

  private static final Logger LOG = Logger.getLogger(SyncbusVerticle.class.getName());

  private final Clock clock;
  private Node node;
  private boolean owner;
  private Reloader reloader;
  /** The TLS ports whose files this copy watches (the owner copy: one watcher per port per node). */
  private List<ServerTls> certificates = List.of();
  private Runnable stopFollowing = () -> { };

  public SyncbusVerticle() {
    this(Clock.systemUTC());
  }

  /** A node whose owners, tokens and secret rotation read time from {@code clock} (tests). */
  public SyncbusVerticle(Clock clock) {
    this.clock = clock;
  }

  /** The node this verticle runs, once started. */
  public Node node() {
    return node;
  }

  @Override
  public Future<?> start() {
    Logging.install();
    node = Node.of(vertx, clock);
    return vertx.executeBlocking(() -> {
      Json.warmUp();
      return null;
    }).compose(v -> loadConfig()).compose(this::deploy);
  }

  @Override
  public Future<?> stop() {
    stopFollowing.run();
    if (reloader != null) {
      reloader.stop();
    }
    if (owner) {
      node.reloadTrigger(() -> { });
      certificates.forEach(ServerTls::close);
      node.releaseOwners();
    }
    return Future.succeededFuture();
  }

  private Future<SyncbusConfig> loadConfig() {
    JsonObject given = config();
    Map<String, String> env = System.getenv();
    if (given.containsKey(CONFIG_FILE)) {
      return ConfigFile.load(vertx, given.getString(CONFIG_FILE), env);
    }
    if (!given.isEmpty()) {
      return vertx.executeBlocking(() -> SyncbusConfig.parse(given, env));
    }
    return ConfigFile.load(vertx, ConfigFile.DEFAULT_PATH, env);
  }

  private Future<?> deploy(SyncbusConfig loaded) {
    RunningConfig running = node.config(loaded);
    owner = node.claimOwners();
    if (!owner) {
      return deployEdge(running);
    }
    SyncbusConfig config = running.get();
    Logging.apply(config.log());
    EdgeResources edges = node.edges(vertx, running);
    SyncbusConfig.TcpBridge tcp = config.bridges().tcp();
    ServerTls bridgeTls = tcp.enabled() ? ServerTls.of(vertx, running, SyncbusConfig.Tls.BRIDGE_TCP, tcp.tls()) : ServerTls.plain();
    certificates = List.of(edges.tls(), bridgeTls);
    NodeLimits limits = edges.limits();
    stopFollowing = running.follow(context, next -> {
      limits.reconfigure(next.limits());
      edges.metrics().enable(next.metrics().enabled());
    });
    // Certificates, then the ports, then the owners: whatever stops start-up (a bad certificate, a
    // port in use) does so with its one line before any queue is loaded or owned, and the node says
    // what it serves (with its warnings) only once it does.
    return Future.all(certificates.stream().map(ServerTls::load).toList())
        .compose(v -> deployEdge(running))
        .compose(v -> tcp.enabled()
            ? vertx.deployVerticle(new BridgeVerticle(running, clock, edges, bridgeTls)) : Future.succeededFuture())
        .compose(v -> replications(config, edges.metrics()))
        .map(replications -> new QueueOwners(vertx, running, node.id(), clock, replications, edges.metrics()))
        .compose(owners -> owners.deploy(config.queues().values()).map(owners))
        .compose(owners -> vertx.deployVerticle(node.console(vertx, running).verticle()).map(owners))
        .onSuccess(owners -> {
          watchFiles(running, owners);
          limits.warnAboutQueues(config.queues().values());
          announce(config);
        });
  }

  /**
   * An HTTP edge, with the SockJS bridge mounted when enabled and the console (which answers 404
   * while {@code console.enabled} is false), once the port's certificate is loaded (by whichever
   * copy asks first); the node learns its port.
   */
  private Future<String> deployEdge(RunningConfig running) {
    SyncbusConfig.SockJsBridge sockjs = running.get().bridges().sockjs();
    EdgeResources edges = node.edges(vertx, running);
    List<Mount> mounts = new ArrayList<>();
    if (sockjs.enabled()) {
      mounts.add(new SockJsBridge(sockjs.path(), edges.metrics()));
    }
    mounts.add(node.console(vertx, running).routes());
    HttpVerticle edge = new HttpVerticle(running, node.id(), edges, clock, mounts);
    return edges.tls().load()
        .compose(v -> vertx.deployVerticle(edge))
        .onSuccess(id -> node.httpPort(edge.port()));
  }

  /**
   * Follows the files the node runs from while it runs: the configuration file, when there is one
   * (every {@code reload.scanSeconds}), and the certificates of its TLS ports; SIGHUP reads them
   * all at once.
   */
  private void watchFiles(RunningConfig running, QueueOwners owners) {
    certificates.forEach(ServerTls::watch);
    String file = config().getString(CONFIG_FILE, config().isEmpty() ? ConfigFile.DEFAULT_PATH : null);
    if (file != null) {
      reloader = new Reloader(vertx, running, owners, file, node.reloads());
      reloader.start();
    }
    node.reloadTrigger(() -> {
      if (reloader != null) {
        reloader.reloadNow();
      }
      certificates.forEach(ServerTls::checkNow);
    });
  }

  /**
   * Replicated through Hazelcast in a cluster, once Hazelcast is found to run with the protection
   * {@code cluster.members} asks for ({@link ClusterSetup}), its membership counted in {@code metrics};
   * on a single node, kept by the owner alone.
   */
  private Future<BiFunction<Vertx, String, Replication>> replications(SyncbusConfig config, NodeMetrics metrics) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture((v, queue) -> Replication.LOCAL);
    }
    HazelcastInstance hazelcast = HazelcastReplication.hazelcastOf(vertx);
    if (hazelcast == null) {
      return Future.failedFuture(new ConfigException("cluster: syncbus needs the Hazelcast cluster manager"));
    }
    SyncbusConfig.Cluster cluster = config.cluster();
    return vertx.executeBlocking(() -> {
      ClusterSetup.check(hazelcast, cluster.members());
      return null;
    }).map(v -> {
      LOG.info(() -> cluster.members() == 1
          ? "cluster: cluster.members is 1: no split-brain protection, every side of a split cluster writes"
          : "cluster: writes need " + cluster.majority() + " of the " + cluster.members() + " members of cluster.members");
      HazelcastMembership membership = node.membership(vertx, cluster.members());
      metrics.cluster(membership::size, membership::quorum);
      return (owner, queue) -> HazelcastReplication.create(owner, queue, membership, clock);
    });
  }

  /** What the node serves, once it does, after what it should warn about. */
  private void announce(SyncbusConfig config) {
    String weak = Exposure.warning(config);
    if (weak != null) {
      LOG.warning(weak);
    }
    if (!config.timeTokens().enabled()) {
      LOG.warning("auth.timeTokens.enabled is false: anyone can publish and subscribe (development only)");
    }
    for (SyncbusConfig.Queue queue : config.queues().values()) {
      if (config.timeTokens().enabled() && queue.secrets().publish().equals(queue.secrets().subscribe())) {
        LOG.warning("queues." + queue.name() + ".secrets: publish and subscribe secrets are equal: "
            + "its subscribers can publish");
      }
    }
    if (config.queues().isEmpty()) {
      LOG.warning("queues: none configured; this node serves no queue");
    }
    LOG.log(Level.INFO, "serving queues {0} on {1}:{2,number,#}",
        new Object[] {config.queues().keySet(), config.http().host(), node.httpPort()});
  }
}
