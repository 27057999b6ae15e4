package org.syncbus;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.cli.CLI;
import io.vertx.core.cli.CLIException;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.cluster.ClusterSetup;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigFile;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.support.Fatal;
import sun.misc.Signal;

/**
 * syncbus's command line: the Vert.x launcher ({@code run}, {@code -instances}, {@code -cluster},
 * …), with three changes for a server that runs for years.
 *
 * <ul>
 *   <li>With {@code -cluster} it builds the Hazelcast cluster manager itself, from the Hazelcast
 *       configuration vertx-hazelcast would read ({@code -Dvertx.hazelcast.config=FILE}, else the
 *       jar's {@code cluster.xml}) with syncbus's split-brain protection added for the
 *       {@code cluster.members} of the configuration file ({@link ClusterSetup}): Hazelcast takes
 *       that protection only before the member starts.
 *   <li>It takes over {@code -conf}: the stock option reads JSON only, prints the whole file
 *       (secrets included) when it is not JSON, deploys with {@code {}} anyway and never tells the
 *       verticle the file's path. Here the path is handed to {@link SyncbusVerticle}, which reads
 *       JSON or YAML and can watch the file.
 *   <li>It reads the configuration file before Vert.x starts, so that every line of the log, from
 *       the first, has the file's {@code log.level} and {@code log.format} ({@link Logging}).
 *   <li>A failed start prints one line and exits with status 1 (the stock launcher exits 0).
 *   <li>Bad usage of a command prints one line and exits with status 2.
 *   <li>SIGTERM undeploys everything (open polls end cleanly) and exits 0; the JVM's default
 *       would exit 143. SIGHUP reloads the configuration file at once (it would kill the JVM).
 * </ul>
 */
public class SyncbusLauncher extends Launcher {
  private static final Logger LOG = Logger.getLogger(SyncbusLauncher.class.getName());
  private static final long SHUTDOWN_GRACE_SECONDS = 20;
  private static final int USAGE_STATUS = 2;

  /**
   * The stock deployer logs a failed start with its stack trace, and a successful one: syncbus
   * says both itself, in one line. Held here so the setting is not garbage-collected.
   */
  private static final Logger DEPLOYER = Logger.getLogger("io.vertx.core.impl.launcher.commands.VertxIsolatedDeployer");

  private final String configFile;
  private final boolean clustered;
  /** The configuration file as read before Vert.x starts. */
  private SyncbusConfig fileConfig;

  SyncbusLauncher(String configFile, boolean clustered) {
    this.configFile = configFile;
    this.clustered = clustered;
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", Logging.FORMAT);
    }
    DEPLOYER.setLevel(Level.OFF);
    Fatal.exitOnFatalErrors();
    Logging.install();
    List<String> rest = new ArrayList<>(List.of(args));
    boolean runs = runsMainVerticle(rest);
    String configFile = runs ? takeConf(rest) : null;
    SyncbusLauncher launcher = new SyncbusLauncher(configFile, runs && clustered(rest));
    if (!rest.isEmpty() && !rest.get(0).startsWith("-") && !launcher.commandByName.containsKey(rest.get(0))) {
      // The stock launcher would take an unknown word for options of the main verticle and start a server.
      System.err.println("syncbus: unknown command " + rest.get(0) + " (commands: "
          + String.join(", ", launcher.commandByName.keySet()) + "; see --help)");
      System.exit(USAGE_STATUS);
    }
    launcher.dispatch(rest.toArray(new String[0]));
  }

  /** True for {@code run …} and for the implicit run of {@code java -jar syncbus.jar [options]}. */
  private static boolean runsMainVerticle(List<String> args) {
    return args.isEmpty() || args.get(0).startsWith("-") || args.get(0).equals("run");
  }

  /** True when the node joins a cluster: {@code -cluster}, or {@code -ha}, which implies it. */
  private static boolean clustered(List<String> args) {
    return args.stream().anyMatch(arg -> List.of("-cluster", "--cluster", "-ha", "--ha").contains(arg));
  }

  /** Removes {@code -conf FILE} (or {@code --conf}, {@code -conf=FILE}) from args; returns FILE. */
  private static String takeConf(List<String> args) {
    String file = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("-conf") || arg.equals("--conf")) && i + 1 < args.size()) {
        file = args.get(i + 1);
        args.subList(i, i + 2).clear();
        i--;
      } else if (arg.startsWith("-conf=") || arg.startsWith("--conf=")) {
        file = arg.substring(arg.indexOf('=') + 1);
        args.remove(i);
        i--;
      }
    }
    return file;
  }

  @Override
  public void afterConfigParsed(JsonObject config) {
    if (configFile != null) {
      config.put(SyncbusVerticle.CONFIG_FILE, new File(configFile).getAbsolutePath());
    }
  }

  /**
   * Reads the configuration file before Vert.x starts: the log takes the file's level and format
   * from its first line on (Vert.x's and Hazelcast's start-up included), and a clustered node its
   * {@code cluster.members}. A file that cannot be read stops start-up here, with the line a failed
   * deployment would print.
   */
  @Override
  public void beforeStartingVertx(VertxOptions options) {
    try {
      fileConfig = ConfigFile.read(configFile == null ? ConfigFile.DEFAULT_PATH : configFile, System.getenv());
    } catch (ConfigException e) {
      System.err.println("syncbus: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Logging.apply(fileConfig.log());
  }

  /** Clustered, the cluster manager with syncbus's protection for the file's {@code cluster.members}. */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = super.createVertxBuilder(options);
    return clustered ? builder.withClusterManager(ClusterSetup.clusterManager(fileConfig.cluster().members())) : builder;
  }

  @Override
  public void afterStartingVertx(Vertx vertx) {
    // Replaces Vert.x's default, which only logs: a fatal error ends the process, others are logged as before.
    vertx.exceptionHandler(error -> {
      Fatal.check(error);
      LOG.log(Level.SEVERE, "Unhandled exception", error);
    });
    Signal.handle(new Signal("TERM"), signal -> shutdown(vertx));
    Signal.handle(new Signal("INT"), signal -> shutdown(vertx));
    Signal.handle(new Signal("HUP"), signal -> {
      Node node = Node.of(vertx);
      if (node != null) {
        node.reload();
      }
    });
  }

  private static void shutdown(Vertx vertx) {
    LOG.info("stopping: ending open streams");
    Thread guard = new Thread(() -> {
      try {
        TimeUnit.SECONDS.sleep(SHUTDOWN_GRACE_SECONDS);
        LOG.warning("stopping took more than " + SHUTDOWN_GRACE_SECONDS + " s; exiting anyway");
        Runtime.getRuntime().halt(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "syncbus-shutdown-guard");
    guard.setDaemon(true);
    guard.start();
    vertx.close().onComplete(result -> System.exit(0));
  }

  @Override
  public void handleDeployFailed(Vertx vertx, String mainVerticle, DeploymentOptions options, Throwable cause) {
    System.err.println("syncbus: cannot start: " + describe(cause));
    vertx.close().onComplete(result -> System.exit(1));
  }

  /** Bad usage of a command (a missing or unknown option): one line, exit status 2. */
  @Override
  protected void printSpecificException(CLI cli, Exception e) {
    usageError(cli, e);
  }

  @Override
  protected void printGenericExecutionError(CLI cli, CLIException e) {
    usageError(cli, e);
  }

  private static void usageError(CLI cli, Exception e) {
    System.err.println("syncbus " + cli.getName() + ": " + e.getMessage() + " (see --help)");
    System.exit(USAGE_STATUS);
  }

  private static String describe(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConfigException) {
        return t.getMessage();
      }
    }
    return cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
  }
}
