package org.syncbus;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import java.util.function.BiFunction;
import org.syncbus.bridge.BridgeVerticle;
import org.syncbus.cluster.HazelcastReplication;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigFile;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.http.HttpVerticle;
import org.syncbus.owner.NodeCodec;
import org.syncbus.owner.Replication;
import org.syncbus.queue.Json;

/**
 * The main verticle: reads the configuration and deploys the node's verticles; nothing else.
 *
 * <p>Its configuration is either {@code {"configFile": PATH}} (what the launcher passes for
 * {@code -conf}), or the syncbus configuration itself (when another application deploys it), or
 * empty: then {@code conf/syncbus.json} from the working directory.
 *
 * <p>With {@code -instances N} there are N copies: the first to claim the node deploys one
 * {@link QueueVerticle} per queue, and every copy deploys one {@link HttpVerticle} edge, so a node
 * has N edges and exactly one owner per queue. The first copy also deploys the TCP bridge
 * ({@link BridgeVerticle}) when enabled; the SockJS bridge is part of every edge.
 */
public final class SyncbusVerticle extends VerticleBase {
  /** The configuration key naming the file to read. */
  public static final String CONFIG_FILE = "configFile";

  private static final Logger LOG = Logger.getLogger(SyncbusVerticle.class.getName());

  private NodeState node;
  private boolean owner;
  private Reloader reloader;

  @Override
  public Future<?> start() {
    node = NodeState.of(vertx);
    if (node.claimCodecs()) {
      NodeCodec.registerAll(vertx.eventBus());
    }
    return vertx.executeBlocking(() -> {
      Json.warmUp();
      return null;
    }).compose(v -> loadConfig()).compose(this::deploy);
  }

  @Override
  public Future<?> stop() {
    if (reloader != null) {
      reloader.stop();
    }
    if (owner) {
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

  private Future<?> deploy(SyncbusConfig config) {
    owner = node.claimOwners();
    if (!owner) {
      return vertx.deployVerticle(new HttpVerticle(node.config() != null ? node.config() : config, node));
    }
    Logging.setLevel(config.logLevel());
    warnAbout(config);
    node.config(config);
    return replications()
        .map(replications -> new QueueOwners(vertx, node, replications))
        .compose(owners -> owners.deploy(config.queues().values()).map(owners))
        .compose(owners -> (config.bridges().tcp().enabled()
            ? vertx.deployVerticle(new BridgeVerticle(config, node)) : Future.succeededFuture()).map(owners))
        .compose(owners -> vertx.deployVerticle(new HttpVerticle(config, node)).map(owners))
        .onSuccess(this::watchConfigFile);
  }

  /** Applies changes of the configuration file while running, when there is a file. */
  private void watchConfigFile(QueueOwners owners) {
    String file = config().getString(CONFIG_FILE, config().isEmpty() ? ConfigFile.DEFAULT_PATH : null);
    if (file != null) {
      reloader = new Reloader(vertx, node, owners, file, node.config());
      reloader.start();
    }
  }

  /** Replicated through Hazelcast in a cluster; on a single node, kept by the owner alone. */
  private Future<BiFunction<Vertx, String, Replication>> replications() {
    if (!vertx.isClustered()) {
      return Future.succeededFuture((v, queue) -> Replication.LOCAL);
    }
    HazelcastInstance hazelcast = HazelcastReplication.hazelcastOf(vertx);
    if (hazelcast == null) {
      return Future.failedFuture(new ConfigException("cluster: syncbus needs the Hazelcast cluster manager"));
    }
    return vertx.executeBlocking(() -> {
      HazelcastReplication.configure(hazelcast);
      return HazelcastReplication::create;
    });
  }

  private static void warnAbout(SyncbusConfig config) {
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
        new Object[] {config.queues().keySet(), config.http().host(), config.http().port()});
  }
}
