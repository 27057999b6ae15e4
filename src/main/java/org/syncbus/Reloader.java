package org.syncbus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.logging.Logger;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigWatcher;
import org.syncbus.config.ReloadHistory;
import org.syncbus.config.ReloadPolicy;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;

/**
 * Applies a changed configuration file to the running node, without a restart and without dropping
 * open streams (README, "Reloading the configuration"). Wiring only: {@link ConfigWatcher} hands
 * over each new valid configuration, {@link ReloadPolicy} decides what of it applies, and this
 * carries the outcome out.
 *
 * <p>Each setting that only a restart applies gets one warning naming its path. The effective
 * configuration is then swapped in whole ({@link RunningConfig#set}); the edges pick it up on their
 * own event loops. Owners of removed queues stop (their streams end cleanly, their paths answer
 * 404) before owners of added queues start (their backlogs loaded).
 *
 * <p>Every reload ends with one line saying what it changed, by setting paths and queue names
 * ({@link ReloadPolicy.Outcome#summary()}), or {@code configuration reloaded: no change}: a SIGHUP
 * always has an answer in the log, an unchanged file included. When nothing changes nothing is
 * swapped, so no verticle is disturbed. Every outcome, a refused file included, is also kept in the
 * node's {@link ReloadHistory} (the console shows it).
 */
final class Reloader {
  private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

  private final Vertx vertx;
  private final RunningConfig config;
  private final QueueOwners owners;
  private final ReloadHistory history;
  private final ConfigWatcher watcher;
  private Context context;

  Reloader(Vertx vertx, RunningConfig config, QueueOwners owners, String path, ReloadHistory history) {
    this.vertx = vertx;
    this.config = config;
    this.owners = owners;
    this.history = history;
    this.watcher = new ConfigWatcher(vertx, path, System.getenv(), config.get(), this::reconfigure, history::refused);
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
    ReloadPolicy.Outcome reload;
    try {
      reload = ReloadPolicy.apply(config.get(), next);
    } catch (ConfigException e) {
      String why = "configuration not reloaded: " + e.getMessage();
      LOG.warning(() -> why + "; keeping the running configuration");
      history.refused(why);
      return;
    }
    history.applied(reload);
    for (String setting : reload.ignored()) {
      LOG.warning(() -> setting + ": changed in the file, but only a restart applies it; it stays as it runs");
    }
    if (reload.changesNothing()) {
      LOG.info(() -> "configuration reloaded: " + reload.summary());
      return;
    }
    SyncbusConfig effective = reload.effective();
    Logging.apply(effective.log());
    config.set(effective);
    Future.all(reload.removed().stream().map(owners::undeploy).toList())
        .compose(v -> owners.deploy(reload.added().stream().map(effective::queue).toList()))
        .onComplete(result -> LOG.info(() -> "configuration reloaded: " + reload.summary()
            + (result.failed() ? "; but " + result.cause().getMessage() : "")));
  }
}
