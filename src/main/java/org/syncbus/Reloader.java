package org.syncbus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.syncbus.auth.Jwt;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigWatcher;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;

/**
 * Applies a changed configuration file to the running node, without a restart and without dropping
 * open streams (README, "Reloading the configuration").
 *
 * <p>A new configuration that is valid is applied whole: queue secrets, JWT keys, token lifetime
 * and skew, limits, keep-alive, log level; new queues start (owners deployed, backlogs loaded);
 * removed queues stop (their streams end cleanly, their paths answer 404). Settings only a restart
 * can change (HTTP host and port, bridges, a queue's pk, type, ttl or backlog source) are logged
 * and left as they run. The edges pick the new configuration up on their own event loops.
 */
final class Reloader {
  private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

  private final Vertx vertx;
  private final RunningConfig config;
  private final QueueOwners owners;
  private final ConfigWatcher watcher;
  private Context context;

  Reloader(Vertx vertx, RunningConfig config, QueueOwners owners, String path) {
    this.vertx = vertx;
    this.config = config;
    this.owners = owners;
    this.watcher = new ConfigWatcher(vertx, path, System.getenv(), config.get(), this::reconfigure);
  }

  void start() {
    context = vertx.getOrCreateContext();
    watcher.start();
  }

  /** Reads the file at once (SIGHUP); from any thread. */
  void reloadNow() {
    context.runOnContext(v -> {
      LOG.info("reloading the configuration (SIGHUP)");
      watcher.reloadNow();
    });
  }

  void stop() {
    watcher.stop();
  }

  private void reconfigure(SyncbusConfig next) {
    SyncbusConfig running = config.get();
    try {
      Jwt.create(vertx, next.jwt());
    } catch (ConfigException e) {
      LOG.warning(() -> "configuration not reloaded: " + e.getMessage() + "; keeping the running configuration");
      return;
    }
    for (String setting : restartOnly(running, next)) {
      LOG.warning(() -> setting + ": changed in the file, but only a restart applies it; it stays as it runs");
    }
    Map<String, SyncbusConfig.Queue> queues = new LinkedHashMap<>();
    next.queues().forEach((name, queue) -> {
      SyncbusConfig.Queue old = running.queue(name);
      queues.put(name, old == null || old.sameOwnerSettings(queue) ? queue : old.withRuntimeSettingsOf(queue));
    });
    SyncbusConfig effective = next.keepingRestartSettingsOf(running).withQueues(queues);
    List<String> added = new ArrayList<>(effective.queues().keySet());
    added.removeAll(running.queues().keySet());
    List<String> removed = new ArrayList<>(running.queues().keySet());
    removed.removeAll(effective.queues().keySet());
    Logging.setLevel(effective.logLevel());
    config.set(effective);
    Future.all(removed.stream().map(owners::undeploy).toList())
        .compose(v -> owners.deploy(added.stream().map(effective::queue).toList()))
        .onComplete(result -> LOG.info(() -> "configuration reloaded" + (added.isEmpty() ? "" : "; queues added " + added)
            + (removed.isEmpty() ? "" : "; queues removed " + removed)
            + (result.failed() ? "; but " + result.cause().getMessage() : "")));
  }

  /** The settings that differ between the two configurations but only apply after a restart. */
  private static List<String> restartOnly(SyncbusConfig running, SyncbusConfig next) {
    List<String> changed = new ArrayList<>();
    if (!running.http().host().equals(next.http().host())) {
      changed.add("http.host");
    }
    if (running.http().port() != next.http().port()) {
      changed.add("http.port");
    }
    if (!running.http().allowedOrigins().equals(next.http().allowedOrigins())) {
      changed.add("http.cors.allowedOrigins");
    }
    if (running.timeTokens().enabled() != next.timeTokens().enabled()) {
      changed.add("auth.timeTokens.enabled");
    }
    if (!running.bridges().equals(next.bridges())) {
      changed.add("bridges");
    }
    running.queues().forEach((name, queue) -> {
      SyncbusConfig.Queue other = next.queue(name);
      if (other != null && !queue.sameOwnerSettings(other)) {
        changed.add("queues." + name + " (pk, type, ttlSeconds or backlog)");
      }
    });
    return changed;
  }
}
