package org.syncbus.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one soak run does, each setting with its default and its command-line option
 * ({@code scripts/soak --help} prints {@link #USAGE}).
 *
 * @param kills          owner SIGKILLs (each followed by a restart and a rejoin)
 * @param publishers     publishers, each with one batch in flight at a time
 * @param nodes          nodes of the cluster, and its {@code cluster.members}
 * @param jar            the packaged server
 * @param logDir         where the nodes' configuration files and logs go
 * @param retryFor       how long one node's client retries a batch before the publisher tries another node
 * @param giveUpAfter    how long a publisher tries one batch, over every node, before giving it up
 * @param between        publishing time between a rejoin and the next kill, at least…
 * @param acksBetween    …and acknowledged batches, at least
 * @param waitBound      the bound of every wait for a state (take-over, rejoin, convergence)
 * @param startWait      the bound of the first start of the cluster (three JVMs at once, then the join pause)
 * @param nodeHeap       the nodes' {@code -Xmx}
 */
record SoakOptions(int kills, int publishers, int nodes, Path jar, Path logDir, Duration retryFor, Duration giveUpAfter,
                   Duration between, int acksBetween, Duration waitBound, Duration startWait, String nodeHeap) {
  static final int DEFAULT_KILLS = 20;
  static final int DEFAULT_PUBLISHERS = 4;
  static final int DEFAULT_NODES = 3;
  static final Path DEFAULT_JAR = Path.of("target", "syncbus.jar");
  static final Path DEFAULT_LOG_DIR = Path.of("target", "soak");
  /**
   * Shorter than the client's default (30 s): a publisher whose node was just killed moves to
   * another node after this, with the same key, instead of waiting for the restart.
   */
  static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(5);
  /** Longer than a fail-over (a member declared gone after 6 s, then the take-over) with room to spare. */
  static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofSeconds(60);
  static final Duration DEFAULT_BETWEEN = Duration.ofSeconds(2);
  static final int DEFAULT_ACKS_BETWEEN = 20;
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(90);
  static final Duration DEFAULT_START_WAIT = Duration.ofSeconds(180);
  static final String DEFAULT_NODE_HEAP = "1g";

  static final String USAGE = """
      usage: scripts/soak [--kills N] [--publishers P] [--nodes 3] [--jar target/syncbus.jar] [--log-dir DIR]
                          [--retry-for-ms MS] [--give-up-after-ms MS] [--between-ms MS] [--acks-between N]
                          [--wait-ms MS] [--node-heap SIZE]
        --kills N             owner SIGKILLs, each followed by a restart and a rejoin (default %d)
        --publishers P        publishers, one batch in flight each (default %d)
        --nodes N             nodes, and the cluster.members of their configuration (default %d)
        --jar FILE            the server (default %s)
        --log-dir DIR         the nodes' files and logs (default %s)
        --retry-for-ms MS     one node's client retries a batch this long, then the publisher tries another (default %d)
        --give-up-after-ms MS a batch not acknowledged by any node within this is given up (default %d)
        --between-ms MS       publishing between a rejoin and the next kill, at least (default %d)
        --acks-between N      and at least this many acknowledged batches (default %d)
        --wait-ms MS          bound of every wait: take-over, rejoin, convergence (default %d)
        --node-heap SIZE      the nodes' -Xmx (default %s)
      Prints one summary line; exit status 0 when no acknowledged batch was lost, none was applied
      twice and every kill was done; 1 otherwise; 2 for bad usage.
      """.formatted(DEFAULT_KILLS, DEFAULT_PUBLISHERS, DEFAULT_NODES, DEFAULT_JAR, DEFAULT_LOG_DIR,
      DEFAULT_RETRY_FOR.toMillis(), DEFAULT_GIVE_UP_AFTER.toMillis(), DEFAULT_BETWEEN.toMillis(), DEFAULT_ACKS_BETWEEN,
      DEFAULT_WAIT.toMillis(), DEFAULT_NODE_HEAP);

  /** A bad command line: the message names the option. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  SoakOptions {
    if (kills < 0 || publishers < 1 || nodes < 3 || acksBetween < 0) {
      throw new IllegalArgumentException("kills >= 0, publishers >= 1, nodes >= 3 (a majority must survive a kill),"
          + " acks-between >= 0: got " + kills + ", " + publishers + ", " + nodes + ", " + acksBetween);
    }
  }

  static SoakOptions defaults() {
    return new SoakOptions(DEFAULT_KILLS, DEFAULT_PUBLISHERS, DEFAULT_NODES, DEFAULT_JAR, DEFAULT_LOG_DIR,
        DEFAULT_RETRY_FOR, DEFAULT_GIVE_UP_AFTER, DEFAULT_BETWEEN, DEFAULT_ACKS_BETWEEN, DEFAULT_WAIT,
        DEFAULT_START_WAIT, DEFAULT_NODE_HEAP);
  }

  SoakOptions withKills(int kills) {
    return new SoakOptions(kills, publishers, nodes, jar, logDir, retryFor, giveUpAfter, between, acksBetween, waitBound,
        startWait, nodeHeap);
  }

  SoakOptions withLogDir(Path logDir) {
    return new SoakOptions(kills, publishers, nodes, jar, logDir, retryFor, giveUpAfter, between, acksBetween, waitBound,
        startWait, nodeHeap);
  }

  /** The options of {@code args}, on top of the defaults. */
  static SoakOptions parse(List<String> args) throws UsageException {
    SoakOptions options = defaults();
    for (int i = 0; i < args.size(); i += 2) {
      String name = args.get(i);
      if (i + 1 >= args.size()) {
        throw new UsageException(name + ": a value is missing");
      }
      String value = args.get(i + 1);
      try {
        options = options.with(name, value);
      } catch (IllegalArgumentException e) {
        throw new UsageException(name + " " + value + ": " + e.getMessage());
      }
    }
    return options;
  }

  private SoakOptions with(String name, String value) throws UsageException {
    int k = kills;
    int p = publishers;
    int n = nodes;
    Path j = jar;
    Path l = logDir;
    Duration r = retryFor;
    Duration g = giveUpAfter;
    Duration b = between;
    int a = acksBetween;
    Duration w = waitBound;
    String h = nodeHeap;
    switch (name) {
      case "--kills" -> k = Integer.parseInt(value);
      case "--publishers" -> p = Integer.parseInt(value);
      case "--nodes" -> n = Integer.parseInt(value);
      case "--jar" -> j = Path.of(value);
      case "--log-dir" -> l = Path.of(value);
      case "--retry-for-ms" -> r = Duration.ofMillis(Long.parseLong(value));
      case "--give-up-after-ms" -> g = Duration.ofMillis(Long.parseLong(value));
      case "--between-ms" -> b = Duration.ofMillis(Long.parseLong(value));
      case "--acks-between" -> a = Integer.parseInt(value);
      case "--wait-ms" -> w = Duration.ofMillis(Long.parseLong(value));
      case "--node-heap" -> h = value;
      default -> throw new UsageException("unknown option " + name);
    }
    return new SoakOptions(k, p, n, j, l, r, g, b, a, w, startWait, h);
  }
}
