package org.syncbus.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Watches the configuration file (vertx-config, scanned every {@code reload.scanSeconds}) and
 * hands every new valid configuration to a listener; {@link #reloadNow()} (SIGHUP) reads it at once.
 *
 * <p>The file is read raw and parsed here, so that a parse error is reported by line and never
 * quotes the file (secrets). A configuration that does not parse or validate, such as a file
 * caught half-written, is refused whole with one log line, and the running one stays; the next
 * scan tries again. A configuration equal to the last one is handed over only when asked for
 * ({@link #reloadNow()}): whoever sent SIGHUP is told the outcome, while a scan that finds the file
 * as it was stays silent. A refused file is reported to its own listener too (the console lists it
 * among the reloads), with the same words as the log line.
 */
public final class ConfigWatcher {
  private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());
  private static final String TEXT = "text";

  private final Vertx vertx;
  private final String path;
  private final Map<String, String> env;
  private final Consumer<SyncbusConfig> listener;
  private final Consumer<String> refused;
  private ConfigRetriever retriever;
  private SyncbusConfig current;

  /**
   * @param listener takes every new valid configuration
   * @param refused takes why a file was not reloaded (names a setting, never quotes a value)
   */
  public ConfigWatcher(Vertx vertx, String path, Map<String, String> env, SyncbusConfig current,
                       Consumer<SyncbusConfig> listener, Consumer<String> refused) {
    this.vertx = vertx;
    this.path = path;
    this.env = env;
    this.current = current;
    this.listener = listener;
    this.refused = refused;
  }

  public void start() {
    ConfigStoreOptions file = new ConfigStoreOptions().setType("file").setFormat("raw")
        .setConfig(new JsonObject().put("path", path).put("raw.key", TEXT).put("raw.type", "string"));
    retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setScanPeriod(current.reload().scanSeconds() * 1000)
        .addStore(file));
    retriever.listen(change -> consider(change.getNewConfiguration(), false));
  }

  public void stop() {
    if (retriever != null) {
      retriever.close();
    }
  }

  /** Reads the file now (SIGHUP) rather than at the next scan, and hands it over even unchanged. */
  public Future<Void> reloadNow() {
    return retriever.getConfig()
        .onSuccess(read -> consider(read, true))
        .onFailure(error -> refuse("configuration " + path + " not reloaded: cannot read it ("
            + error.getClass().getSimpleName() + ")"))
        .mapEmpty();
  }

  private void consider(JsonObject read, boolean asked) {
    String text = read.getString(TEXT);
    if (text == null) {
      refuse("configuration " + path + " not reloaded: cannot read it");
      return;
    }
    SyncbusConfig next;
    try {
      next = SyncbusConfig.parse(ConfigFile.parse(path, Buffer.buffer(text)), env);
    } catch (ConfigException e) {
      refuse("configuration not reloaded: " + e.getMessage());
      return;
    }
    if (next.equals(current) && !asked) {
      return;
    }
    boolean rescan = next.reload().scanSeconds() != current.reload().scanSeconds();
    current = next;
    if (rescan) {
      stop();
      start();
    }
    listener.accept(next);
  }

  private void refuse(String why) {
    LOG.warning(() -> why + "; keeping the running configuration");
    refused.accept(why);
  }
}
