package org.syncbus.partition;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.syncbus.testing.ClusterXml;

/**
 * Three syncbus nodes, one per namespace of {@link Namespaces}, started from the packaged jar with
 * the command an operator would use on three machines:
 * {@code java -Xmx256m -Dvertx.hazelcast.config=FILE -jar target/syncbus.jar -conf CONF -cluster
 * -cluster-host CLUSTER_ADDRESS}.
 *
 * <p>Each node's Hazelcast file is the shipped {@code conf/cluster.xml} with what differs between
 * machines changed in place (the three cluster-link addresses with their port under
 * {@code tcp-ip}, the node's own under {@code interfaces}, a cluster name of this run) and the timing this test relies on set
 * explicitly: heartbeat 1 s, a member declared gone after {@value #MAX_NO_HEARTBEAT_SECONDS} s
 * without one, split-brain merges tried 10 s after start, then every 5 s. Everything else (the
 * queues map, {@code fail.on.indeterminate.state}, split-brain protection if the file has any)
 * comes from the shipped file, so the test runs what ships.
 */
final class NetCluster implements AutoCloseable {
  static final int MAX_NO_HEARTBEAT_SECONDS = 6;
  static final int MERGE_FIRST_RUN_DELAY_SECONDS = 10;
  static final int MERGE_NEXT_RUN_DELAY_SECONDS = 5;
  static final String PUBLISH_SECRET = "partition-it-publish";
  static final String SUBSCRIBE_SECRET = "partition-it-subscribe";
  static final String PK = "id";
  private static final int HAZELCAST_PORT = 5701;
  private static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Map<String, String> HAZELCAST_PROPERTIES = Map.of(
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS),
      "hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_FIRST_RUN_DELAY_SECONDS),
      "hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_NEXT_RUN_DELAY_SECONDS));

  private final List<NetNode> nodes;

  private NetCluster(List<NetNode> nodes) {
    this.nodes = nodes;
  }

  /** Starts the three nodes at once (their files and logs in {@code dir}); does not wait for them. */
  static NetCluster start(Namespaces network, Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!Files.exists(JAR)) {
      throw new IOException(JAR + " is missing: run mvn package first");
    }
    Path config = Files.writeString(dir.resolve("syncbus.json"), syncbusConfig().encodePrettily());
    String clusterName = "syncbus-partition-it-" + UUID.randomUUID();
    List<NetNode> nodes = new ArrayList<>();
    NetCluster cluster = new NetCluster(nodes);
    try {
      for (int i = 1; i <= Namespaces.NODES; i++) {
        Path clusterXml = dir.resolve("cluster" + i + ".xml");
        Files.writeString(clusterXml, clusterXml(network, i, clusterName));
        nodes.add(NetNode.start(network, i, List.of(JAVA.toString(), "-Xmx256m",
            "-Dvertx.hazelcast.config=" + clusterXml.toAbsolutePath(),
            "-jar", JAR.toString(), "-conf", config.toAbsolutePath().toString(),
            "-cluster", "-cluster-host", network.clusterAddress(i)), dir.resolve("node" + i + ".log")));
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The syncbus configuration of every node: HTTP on all interfaces of its namespace, a majority of three. */
  static JsonObject syncbusConfig() {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "0.0.0.0").put("port", NetNode.HTTP_PORT))
        .put("auth", new JsonObject().put("timeTokens", new JsonObject().put("enabled", true)))
        .put("cluster", new JsonObject().put("members", Namespaces.NODES))
        .put("log", new JsonObject().put("level", "INFO"))
        .put("queues", new JsonObject().put("default", new JsonObject()
            .put("pk", PK)
            .put("type", "keyed")
            .put("secrets", new JsonObject().put("publish", PUBLISH_SECRET).put("subscribe", SUBSCRIBE_SECRET))
            .put("backlog", new JsonObject().put("type", "none"))));
  }

  /** The shipped {@code conf/cluster.xml} made into node {@code node}'s file on the test network. */
  static String clusterXml(Namespaces network, int node, String clusterName) throws IOException {
    List<String> members = new ArrayList<>();
    for (int i = 1; i <= Namespaces.NODES; i++) {
      members.add(network.clusterAddress(i) + ":" + HAZELCAST_PORT);
    }
    return ClusterXml.forNode(clusterName, network.clusterAddress(node), HAZELCAST_PORT, members, HAZELCAST_PROPERTIES);
  }

  List<NetNode> nodes() {
    return nodes;
  }

  /** The nodes other than {@code node}. */
  List<NetNode> others(NetNode node) {
    return nodes.stream().filter(other -> other != node).toList();
  }

  /** Each node's last lines of output, for failure messages. */
  String logTails(int lines) {
    StringBuilder text = new StringBuilder();
    for (NetNode node : nodes) {
      text.append("\n--- ").append(node).append(", ").append(node.logFile()).append(" ---\n").append(node.logTail(lines));
    }
    return text.toString();
  }

  /** Kills every node (SIGKILL by PID; a paused one too) and waits for each to be gone. */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    for (NetNode node : nodes) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(node + ": interrupted");
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("stopping the nodes: " + String.join("; ", failures));
    }
  }
}
