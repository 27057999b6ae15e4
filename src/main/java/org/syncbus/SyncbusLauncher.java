package org.syncbus;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.cli.CLI;
import io.vertx.core.cli.CLIException;
import io.vertx.core.impl.launcher.commands.RunCommandFactory;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.cli.Commands;
import org.syncbus.cluster.ClusterSetup;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigFile;
import org.syncbus.config.Exposure;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.support.Fatal;
import sun.misc.Signal;

/**
 * syncbus's command line: the Vert.x launcher ({@code run}, {@code -instances}, {@code -cluster},
 * …), made syncbus's own for a server that runs for years.
 *
 * <ul>
 *   <li>Only syncbus's commands exist ({@link #load}): {@code run} (the default) and those of
 *       {@link Commands}. Vert.x's {@code bare}, {@code start}, {@code stop} and {@code list} (which
 *       start and stop background copies of the JVM) and its {@code version} (Vert.x's, on stderr)
 *       are not registered. {@code --help} prints syncbus's usage ({@link #usage}): the options a
 *       node runs with, their defaults, the environment, the commands. {@code run} needs no verticle
 *       name: without one it runs {@link SyncbusVerticle}.
 *   <li>With {@code -cluster} it builds the Hazelcast cluster manager itself, from the Hazelcast
 *       configuration vertx-hazelcast would read ({@code -Dvertx.hazelcast.config=FILE}, else the
 *       jar's {@code cluster.xml}) with syncbus's split-brain protection added for the
 *       {@code cluster.members} of the configuration file, and bound to the configured interface or
 *       {@code -cluster-host} only ({@link ClusterSetup}): Hazelcast takes both only before the
 *       member starts.
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
  private static final String RUN = "run";
  /**
   * Vert.x's own setting of its event loops ({@code -Dvertx.options.eventLoopPoolSize=N}): when it
   * is given, it wins. Without it a node has one event loop per HTTP edge ({@code -instances N}),
   * not Vert.x's two per core: each queue's owner then shares a thread with an edge, and a batch
   * goes from the edge to its owner and back to the edges without waking another thread. (With
   * two per core, every batch took three wake-ups from thread to thread: 30 % more CPU per batch.)
   */
  static final String EVENT_LOOPS_PROPERTY = "vertx.options.eventLoopPoolSize";

  /**
   * The stock deployer logs a failed start with its stack trace, and a successful one: syncbus
   * says both itself, in one line. Held here so the setting is not garbage-collected.
   */
  private static final Logger DEPLOYER = Logger.getLogger("io.vertx.core.impl.launcher.commands.VertxIsolatedDeployer");

  private final String configFile;
  private final boolean clustered;
  private final String clusterHost;
  private final int edges;
  /** The configuration file as read before Vert.x starts. */
  private SyncbusConfig fileConfig;

  SyncbusLauncher(String configFile, boolean clustered, String clusterHost, int edges) {
    this.configFile = configFile;
    this.clustered = clustered;
    this.clusterHost = clusterHost;
    this.edges = edges;
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
    if (runs && !rest.isEmpty() && rest.get(0).equals(RUN)
        && (rest.size() == 1 || rest.get(1).startsWith("-") && !isAskingForHelp(rest.get(1)))) {
      rest.add(1, SyncbusVerticle.class.getName());
    }
    String configFile = runs ? takeConf(rest) : null;
    SyncbusLauncher launcher = new SyncbusLauncher(configFile, runs && clustered(rest), optionValue(rest, "cluster-host"),
        edges(optionValue(rest, "instances")));
    if (!rest.isEmpty() && !rest.get(0).startsWith("-") && !isAskingForHelp(rest.get(0))
        && !launcher.commandByName.containsKey(rest.get(0))) {
      // The stock launcher would take an unknown word for options of the main verticle and start a server.
      System.err.println("syncbus: unknown command " + rest.get(0) + " (commands: "
          + String.join(", ", launcher.commandByName.keySet()) + "; see --help)");
      System.exit(USAGE_STATUS);
    }
    launcher.dispatch(rest.toArray(new String[0]));
  }

  /** True for {@code run …} and for the implicit run of {@code java -jar syncbus.jar [options]}. */
  private static boolean runsMainVerticle(List<String> args) {
    return args.isEmpty() || (args.get(0).startsWith("-") && !isAskingForHelp(args.get(0))) || args.get(0).equals(RUN);
  }

  /** The value of {@code -name VALUE} (or {@code --name VALUE}, {@code -name=VALUE}) in args; null without. */
  private static String optionValue(List<String> args, String name) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("-" + name) || arg.equals("--" + name)) && i + 1 < args.size()) {
        return args.get(i + 1);
      }
      if (arg.startsWith("-" + name + "=") || arg.startsWith("--" + name + "=")) {
        return arg.substring(arg.indexOf('=') + 1);
      }
    }
    return null;
  }

  /** The number of HTTP edges {@code -instances} asks for; 1 without it (or when it is not a number: Vert.x says so). */
  private static int edges(String instances) {
    try {
      return instances == null ? 1 : Math.max(1, Integer.parseInt(instances.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
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

  /** syncbus's commands only, whatever else the class path offers through Vert.x's command SPI. */
  @Override
  protected void load() {
    register(new Run());
    Commands.all().forEach(this::register);
  }

  /** Vert.x's {@code run}, described as syncbus's. */
  private static final class Run extends RunCommandFactory {
    @Override
    public CLI define() {
      return super.define().setSummary("Runs a node (the default command).");
    }
  }

  @Override
  protected void printGlobalUsage() {
    getPrintStream().print(usage(true));
  }

  /** {@code run --help}: the options of a node, not the stock ones of {@code run} (deployment of any verticle, redeploy). */
  @Override
  protected void printCommandUsage(CLI cli) {
    if (cli.getName().equals(RUN)) {
      getPrintStream().print(usage(false));
    } else {
      super.printCommandUsage(cli);
    }
  }

  /** syncbus's usage: how a node runs; with {@code commands}, the commands too. */
  private String usage(boolean commands) {
    String prefix = getCommandLinePrefix();
    StringBuilder text = new StringBuilder()
        .append("Usage: ").append(prefix).append(" [run] [-conf FILE] [-cluster [-cluster-host HOST]] [-instances N]\n")
        .append("       ").append(prefix).append(" COMMAND [OPTIONS]\n\n")
        .append("Runs a syncbus node (without a command, or with run).\n\n")
        .append("Options of a node:\n")
        .append("  -conf FILE          its configuration, JSON or YAML (.yaml, .yml); default: ")
        .append(ConfigFile.DEFAULT_PATH).append("\n")
        .append("  -cluster            joins the cluster that Hazelcast's cluster.xml describes (the jar's own, or\n")
        .append("                      -Dvertx.hazelcast.config=FILE): TCP-IP join on 127.0.0.1 as shipped\n")
        .append("  -cluster-host HOST  this node's address in the cluster: Hazelcast and the event bus listen on it\n")
        .append("  -instances N        N HTTP edges in this process, still one owner per queue, on N event loops\n")
        .append("                      (-D").append(EVENT_LOOPS_PROPERTY).append("=M for M); default: 1\n\n")
        .append("Environment:\n")
        .append("  ").append(SyncbusConfig.ENV_HTTP_HOST).append("        overrides http.host (default ")
        .append(SyncbusConfig.Http.DEFAULT_HOST).append(")\n")
        .append("  ").append(SyncbusConfig.ENV_HTTP_PORT).append("        overrides http.port (default ")
        .append(SyncbusConfig.Http.DEFAULT_PORT).append(")\n")
        .append("  ").append(SyncbusConfig.ENV_BRIDGE_TCP_PORT).append("  overrides bridges.tcp.port (default ")
        .append(SyncbusConfig.TcpBridge.DEFAULT_PORT).append(")\n")
        .append("  JAVA_OPTS                options of the JVM, for scripts/run, scripts/cluster and scripts/vertx\n")
        .append("  NAME                     a string \"${NAME}\" (or \"${NAME:-fallback}\") in the file takes its value\n\n")
        .append("A node listening beyond loopback refuses to start without time tokens, or with a secret that is a\n")
        .append("placeholder (change-me…) or shorter than ").append(Exposure.MIN_SECRET_BYTES).append(" bytes.\n");
    if (commands) {
      text.append("\nCommands:\n");
      commandByName.values().forEach(command -> text.append(String.format("  %-14s%s%n", command.cli.getName(),
          command.cli.getSummary())));
      text.append("\nRun '").append(prefix).append(" COMMAND --help' for a command's options.\n");
    }
    return text.toString();
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
    if (System.getProperty(EVENT_LOOPS_PROPERTY) == null) {
      options.setEventLoopPoolSize(edges);
    }
  }

  /** Clustered, the cluster manager with syncbus's protection for the file's {@code cluster.members}. */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = super.createVertxBuilder(options);
    return clustered ? builder.withClusterManager(ClusterSetup.clusterManager(fileConfig.cluster().members(), clusterHost)) : builder;
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
