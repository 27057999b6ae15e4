package org.syncbus.cli;

import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Option;
import io.vertx.core.spi.launcher.DefaultCommand;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.syncbus.client.SyncClientOptions;
import org.syncbus.client.SyncException;

/**
 * What the {@code publish} and {@code poll} commands share: the server, the queue, the secret,
 * and the exit statuses (0 success, 1 refused by the server, 2 bad usage, 3 server unreachable
 * or failing). Errors are one line on stderr.
 */
abstract class ClientCommand extends DefaultCommand {
  static final int OK = 0;
  static final int REFUSED = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;

  private String url;
  private String queue;
  private String secret;
  private String token;
  private String cacert;
  private String cert;
  private String key;

  @Option(longName = "url", argName = "BASE_URL")
  @Description("The server's root, e.g. http://127.0.0.1:8000, or https://… for a server with TLS.")
  public void setUrl(String url) {
    this.url = url;
  }

  @Option(longName = "queue", argName = "Q")
  @Description("The queue (default: the queue named default, at /poll and /update).")
  public void setQueue(String queue) {
    this.queue = queue;
  }

  @Option(longName = "secret", argName = "S")
  @Description("The queue's shared secret: its publish secret for publish, its subscribe secret for poll.")
  public void setSecret(String secret) {
    this.secret = secret;
  }

  @Option(longName = "token", argName = "JWT")
  @Description("A JWT granting the right on the queue, instead of --secret.")
  public void setToken(String token) {
    this.token = token;
  }

  @Option(longName = "cacert", argName = "FILE")
  @Description("For an https URL: the CA certificate (PEM) to trust instead of the Java runtime's.")
  public void setCacert(String cacert) {
    this.cacert = cacert;
  }

  @Option(longName = "cert", argName = "FILE")
  @Description("For an https URL: a client certificate (PEM), for servers that ask for one; with --key.")
  public void setCert(String cert) {
    this.cert = cert;
  }

  @Option(longName = "key", argName = "FILE")
  @Description("The private key (PEM) of --cert.")
  public void setKey(String key) {
    this.key = key;
  }

  /** Exits the process with {@code status}, after one line on stderr unless it is a success. */
  static void exit(int status, String message) {
    if (message != null) {
      System.err.println(message);
    }
    System.out.flush();
    System.exit(status);
  }

  /** The options every command needs; exits with a usage error when one is missing. */
  SyncClientOptions clientOptions(String name) {
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      exit(USAGE, "syncbus " + name + ": --url BASE_URL is required (http://host:port or https://host:port)");
    }
    if (secret == null && token == null) {
      exit(USAGE, "syncbus " + name + ": --secret S (or --token JWT) is required");
    }
    if ((cert == null) != (key == null)) {
      exit(USAGE, "syncbus " + name + ": --cert FILE and --key FILE go together");
    }
    requireReadable(name, "--cacert", cacert);
    requireReadable(name, "--cert", cert);
    requireReadable(name, "--key", key);
    return new SyncClientOptions(url).setQueue(queue).setToken(token)
        .setTrustPemPath(cacert).setKeyCertPemPaths(cert, key);
  }

  /** Checked here so that a mistyped path is a usage error, not a connection failure. */
  private static void requireReadable(String name, String option, String file) {
    if (file != null && !Files.isReadable(Path.of(file))) {
      exit(USAGE, "syncbus " + name + ": " + option + " " + file + ": cannot read it");
    }
  }

  String secret() {
    return secret;
  }

  /** The exit status a failure stands for. */
  static int statusOf(Throwable error) {
    if (error instanceof SyncException refused && refused.isRefusal()) {
      return REFUSED;
    }
    if (error instanceof IllegalStateException || error instanceof IllegalArgumentException) {
      return USAGE;
    }
    return UNREACHABLE;
  }

  static String oneLine(String name, Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    String status = error instanceof SyncException e && e.status() > 0 ? " (HTTP " + e.status() + ")" : "";
    return "syncbus " + name + ": " + message.replace('\n', ' ').trim() + status;
  }

  PrintStream stdout() {
    return System.out;
  }
}
