package org.syncbus.tls;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;

/**
 * TLS on one listening port ({@code http.tls}, {@code bridges.tcp.tls}): the servers' options made
 * from the port's PEM files, and the files followed while the node runs (README, "TLS").
 *
 * <p><b>Start.</b> {@link #load()} reads and checks the files once, on a worker ({@link PemFiles}:
 * a certificate, its own private key, the client CA when set). A problem fails start-up with a
 * {@code ConfigException} naming the setting: {@code http.tls.certPath: cannot read /x.pem (no such
 * file)}. Servers are then made with {@link #secure} and registered with {@link #follow}. A port
 * without TLS has {@link #plain()}: it changes nothing and follows nothing.
 *
 * <p><b>Following the files.</b> Every {@code reload.scanSeconds} (read from the running
 * configuration at each scan, so a reload changes the pace) and at once on {@link #checkNow()}
 * (SIGHUP), the files are read again and their content hashed. Timestamps are not trusted: a copy
 * may keep them, and a file may change twice within their resolution. New content is checked as at
 * start, then handed to every registered server ({@code updateSSLOptions}, forced): connections made
 * from then on get the new certificate, connections already open keep the one they were made with
 * and are never closed. One INFO line says so ({@code http.tls: certificate reloaded (…)}).
 *
 * <p><b>Bad files.</b> Content that is not a usable certificate (a file caught half-written, a
 * certificate written before its key, a file missing for a moment) is refused with one WARNING,
 * and the running certificate stays. The warning is not repeated while the files stay as they are;
 * whatever they become next is considered afresh. Content equal to the running certificate's is
 * not reloaded.
 *
 * <p><b>Threads.</b> Scans run one after the other on the context that called {@link #watch()} (the
 * node's wiring); a check asked for during a scan may overlap it, and only the newest content seen
 * is ever applied. Servers register and leave from any context. The TLS settings themselves (on or
 * off, the paths) are restart-only ({@code ReloadPolicy}), so they are fixed for this object's life.
 */
public final class ServerTls {
  private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());
  private static final ServerTls PLAIN = new ServerTls(null, null, null);

  /** A listening server whose certificate can be replaced: {@code HttpServer} and {@code NetServer} both are. */
  public interface Server {
    Future<Boolean> updateSSLOptions(ServerSSLOptions options, boolean force);
  }

  private final Vertx vertx;
  private final RunningConfig running;
  private final PemFiles files;
  private final List<Server> servers = new CopyOnWriteArrayList<>();
  private Future<Void> loaded;
  private volatile ServerSSLOptions current;
  /** The fingerprint of the files the servers serve. */
  private volatile String applied;
  /** The fingerprint (or read failure) last looked at: the same is not considered, nor warned about, twice. */
  private String seen;
  private volatile Context context;
  private volatile long timer = -1;
  private volatile boolean closed;

  private ServerTls(Vertx vertx, RunningConfig running, PemFiles files) {
    this.vertx = vertx;
    this.running = running;
    this.files = files;
  }

  /** A port without TLS. */
  public static ServerTls plain() {
    return PLAIN;
  }

  /**
   * The TLS of the port whose settings are at {@code setting} ({@code http.tls}); {@link #plain()}
   * when {@code tls} is null.
   *
   * @param running the node's configuration, for {@code reload.scanSeconds}
   */
  public static ServerTls of(Vertx vertx, RunningConfig running, String setting, SyncbusConfig.Tls tls) {
    return tls == null ? PLAIN : new ServerTls(vertx, running, new PemFiles(setting, tls));
  }

  /** Reads and checks the files, once whoever asks; fails with a {@code ConfigException}. */
  public synchronized Future<Void> load() {
    if (loaded == null) {
      loaded = files == null ? Future.succeededFuture() : vertx.executeBlocking(() -> files.check(vertx, files.read()))
          .map(checked -> {
            current = checked.options();
            applied = checked.fingerprint();
            LOG.info(() -> files.setting() + ": certificate " + checked.describe());
            return null;
          });
    }
    return loaded;
  }

  /**
   * {@code options} with TLS on and the port's current certificate, once {@link #load()} succeeded;
   * unchanged for a plain port.
   */
  public <T extends NetServerOptions> T secure(T options) {
    if (files == null) {
      return options;
    }
    ServerSSLOptions ssl = current;
    if (ssl == null) {
      throw new IllegalStateException(files.setting() + ": the certificate is not loaded yet");
    }
    options.setSsl(true)
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth());
    return options;
  }

  /** Gives {@code server} (listening, made with {@link #secure}) every new certificate; returns what stops that. */
  public Runnable follow(Server server) {
    if (files == null) {
      return () -> { };
    }
    servers.add(server);
    return () -> servers.remove(server);
  }

  /** Starts the scans, on the caller's context, until {@link #close()}. */
  public void watch() {
    if (files == null) {
      return;
    }
    closed = false;
    context = vertx.getOrCreateContext();
    schedule();
  }

  /** Checks the files now (SIGHUP), from any thread; completes once checked (and applied). */
  public Future<Void> checkNow() {
    if (files == null || context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> check().onComplete(done));
    return done.future();
  }

  /** Stops the scans (a scan under way finishes) and forgets the servers. */
  public void close() {
    if (files == null) {
      return;
    }
    closed = true;
    vertx.cancelTimer(timer);
    servers.clear();
  }

  private void schedule() {
    if (closed) {
      return;
    }
    timer = vertx.setTimer(running.get().reload().scanSeconds() * 1000, id -> check().onComplete(done -> schedule()));
  }

  /** Reads the files and applies them when they changed; never fails (problems are logged). */
  private Future<Void> check() {
    return vertx.executeBlocking(files::read, false).transform(read -> {
      if (read.failed()) {
        refuse("unreadable: " + read.cause().getMessage(), read.cause());
        return Future.succeededFuture();
      }
      return consider(read.result());
    });
  }

  private Future<Void> consider(PemFiles.Contents contents) {
    String fingerprint = contents.fingerprint();
    if (fingerprint.equals(seen) || (seen == null && fingerprint.equals(applied))) {
      return Future.succeededFuture();
    }
    seen = fingerprint;
    if (fingerprint.equals(applied)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> files.check(vertx, contents), false)
        .compose(checked -> fingerprint.equals(seen) ? apply(checked) : Future.succeededFuture())
        .recover(error -> {
          warn(error);
          return Future.succeededFuture();
        });
  }

  private void refuse(String fingerprint, Throwable error) {
    if (!fingerprint.equals(seen)) {
      seen = fingerprint;
      warn(error);
    }
  }

  private void warn(Throwable error) {
    String why = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    LOG.warning(() -> files.setting() + ": certificate not reloaded: " + why
        + "; the running certificate stays until the files change again");
  }

  private Future<Void> apply(PemFiles.Checked checked) {
    return Future.all(servers.stream().map(server -> update(server, checked.options())).toList())
        .onSuccess(v -> {
          current = checked.options();
          applied = checked.fingerprint();
          LOG.info(() -> files.setting() + ": certificate reloaded (" + checked.describe() + ")");
        })
        .mapEmpty();
  }

  private static Future<Boolean> update(Server server, ServerSSLOptions options) {
    try {
      return server.updateSSLOptions(options, true);
    } catch (IllegalStateException e) {
      // A server closing meanwhile: it has no connections to come.
      return Future.succeededFuture(false);
    }
  }
}
