package org.syncbus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.auth.TimeTokens;
import org.syncbus.client.ConnectionState;
import org.syncbus.client.Subscription;
import org.syncbus.client.SyncClient;
import org.syncbus.client.SyncClientOptions;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.Key;
import org.syncbus.testing.Await;

/**
 * Real nodes ({@code java -jar target/syncbus.jar -cluster -cluster-host 127.0.0.1}, Hazelcast's
 * configuration from {@code -Dvertx.hazelcast.config}) on this machine: the owner of the queue is
 * killed with SIGKILL while batches are published through the others, and no batch that was
 * acknowledged (200) is lost; the survivors and their subscribers converge. The launcher protects
 * the cluster for the {@code cluster.members} of the node's configuration file.
 */
class ClusterIT {
  private static final Path JAR = Path.of("target", "syncbus.jar");
  private static final String PUB = "it-publish";
  private static final String SUB = "it-subscribe";
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stopNodes() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private record Node(int port, Process process) {
    String url() {
      return "http://127.0.0.1:" + port;
    }
  }

  private Node start(Path config, Path clusterXml, int index) throws IOException {
    int port = freePort();
    // Hazelcast's usual pause before joining stays: without it a node may start as a cluster of
    // its own and merge minutes later.
    ProcessBuilder builder = new ProcessBuilder("java", "-Dvertx.hazelcast.config=" + clusterXml,
        "-jar", JAR.toString(), "-conf", config.toString(), "-cluster", "-cluster-host", "127.0.0.1")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("node" + index + ".log").toFile());
    builder.environment().put("SYNCBUS_HTTP_PORT", Integer.toString(port));
    Process process = builder.start();
    processes.add(process);
    return new Node(port, process);
  }

  private HttpResponse<String> get(Node node, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String subscribeQuery() {
    return "?data=%7B%7D&hmac=" + URLEncoder.encode(TimeTokens.sign(SUB, "None", TimeTokens.systemSeconds()), StandardCharsets.UTF_8);
  }

  private JsonObject info(Node node) throws IOException, InterruptedException {
    HttpResponse<String> reply = get(node, "/queues/default/info" + subscribeQuery());
    assertEquals(200, reply.statusCode(), reply.body());
    return new JsonObject(reply.body());
  }

  /** Publishes once; the status, or 0 when the node could not be reached. */
  private int publish(Node node, String batch) throws InterruptedException {
    return publish(node, batch, UUID.randomUUID().toString());
  }

  /** Publishes once under an idempotency key, so that retrying it cannot apply it twice. */
  private int publish(Node node, String batch, String key) throws InterruptedException {
    String form = "data=" + URLEncoder.encode(batch, StandardCharsets.UTF_8) + "&hmac="
        + URLEncoder.encode(TimeTokens.sign(PUB, batch, TimeTokens.systemSeconds()), StandardCharsets.UTF_8);
    try {
      return http.send(HttpRequest.newBuilder(URI.create(node.url() + "/update")).timeout(Duration.ofSeconds(15))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .header("Idempotency-Key", key)
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    }
  }

  private void awaitHealthy(Node node) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(node.process().isAlive(), "node on port " + node.port() + " died: " + log(node));
      try {
        if (get(node, "/health").statusCode() == 200) {
          return;
        }
      } catch (IOException starting) {
        // not listening yet
      }
      node.process().waitFor(200, TimeUnit.MILLISECONDS); // returns at once should the node exit
    }
    throw new AssertionError("node on port " + node.port() + " not healthy in time: " + log(node));
  }

  private String log(Node node) throws IOException {
    for (int i = 0; i < processes.size(); i++) {
      if (processes.get(i) == node.process()) {
        return Files.readString(dir.resolve("node" + i + ".log"));
      }
    }
    return "";
  }

  /** A configuration file of one queue, {@code default}, with {@code cluster} as its cluster section (may be empty). */
  private Path config(String name, String cluster) throws IOException {
    return Files.writeString(dir.resolve(name), """
        {"http": {"host": "127.0.0.1"}, %s
         "queues": {"default": {"pk": "id", "secrets": {"publish": "%s", "subscribe": "%s"}}}}
        """.formatted(cluster, PUB, SUB));
  }

  /** The shipped cluster.xml under a cluster name of its own, so that no other build's nodes meet these. */
  private Path clusterXml(String name) throws IOException {
    return Files.writeString(dir.resolve(name), Files.readString(Path.of("conf", "cluster.xml"))
        .replace("<cluster-name>syncbus</cluster-name>", "<cluster-name>syncbus-it-" + UUID.randomUUID() + "</cluster-name>"));
  }

  /** Waits (bounded) until the node answers {@code /health}, whatever the status. */
  private HttpResponse<String> awaitHealthAnswer(Node node) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(node.process().isAlive(), "node on port " + node.port() + " died: " + log(node));
      try {
        return get(node, "/health");
      } catch (IOException starting) {
        node.process().waitFor(200, TimeUnit.MILLISECONDS); // returns at once should the node exit
      }
    }
    throw new AssertionError("node on port " + node.port() + " never answered: " + log(node));
  }

  /**
   * Waits (bounded) until the node's mirror serves at least batch {@code seq}: a batch reaches the
   * other nodes' mirrors moments after its 200, and a mirror resynchronises after a fail-over.
   */
  private void awaitServedSeq(Node node, long seq) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      HttpResponse<String> reply = get(node, "/queues/default/info" + subscribeQuery());
      if (reply.statusCode() == 200 && new JsonObject(reply.body()).getLong("seq") >= seq) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "node on port " + node.port() + " not at seq " + seq + ": " + reply.body());
      node.process().waitFor(100, TimeUnit.MILLISECONDS); // returns at once should the node exit
    }
  }

  @Test
  void theLauncherProtectsTheClusterForTheClusterMembersOfTheFile() throws Exception {
    Node alone = start(config("alone.json", "\"cluster\": {\"members\": 1},"), clusterXml("alone.xml"), 0);
    Node waiting = start(config("waiting.json", ""), clusterXml("waiting.xml"), 1);
    awaitHealthy(alone);
    assertEquals(true, new JsonObject(get(alone, "/health").body()).getBoolean("quorum"),
        "cluster.members 1: a node of its own holds the majority");
    assertEquals(200, publish(alone, "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));

    HttpResponse<String> health = awaitHealthAnswer(waiting);
    assertEquals(503, health.statusCode(), health::body);
    JsonObject body = new JsonObject(health.body());
    assertEquals(false, body.getBoolean("quorum"), "cluster.members 3 by default: one node is not a majority");
    assertEquals(false, body.getJsonObject("queues").getJsonObject("default").getBoolean("ready"));
    assertEquals(503, publish(waiting, "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
    assertTrue(log(waiting).contains("writes need 2 of the 3 members of cluster.members"), log(waiting));
  }

  @Test
  void killingTheOwnerLosesNoAcknowledgedBatch() throws Exception {
    Path config = config("syncbus.json", "");
    Path clusterXml = clusterXml("cluster.xml");
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(start(config, clusterXml, i));
    }
    for (Node node : nodes) {
      awaitHealthy(node);
    }
    String ownerId = info(nodes.get(0)).getString("owner");
    Node owner = null;
    for (Node node : nodes) {
      assertEquals(ownerId, info(node).getString("owner"), "one owner, named alike by every node");
      if (info(node).getString("node").equals(ownerId)) {
        owner = node;
      }
    }
    assertTrue(owner != null, "the owner is one of the three");
    List<Node> survivors = new ArrayList<>(nodes);
    survivors.remove(owner);

    Vertx vertx = Vertx.vertx();
    try {
      List<SyncClient> followers = new ArrayList<>();
      List<Subscription> subscriptions = new ArrayList<>();
      List<Map<Key, com.fasterxml.jackson.databind.node.ObjectNode>> states = new ArrayList<>();
      for (Node survivor : survivors) {
        SyncClient follower = SyncClient.create(vertx, new SyncClientOptions(survivor.url()).setSubscribeSecret(SUB)
            .setPk("id").setReconnectInitial(Duration.ofMillis(100)).setReconnectMax(Duration.ofSeconds(1)));
        followers.add(follower);
        Map<Key, com.fasterxml.jackson.databind.node.ObjectNode> state = new java.util.concurrent.ConcurrentHashMap<>();
        states.add(state);
        subscriptions.add(follower.poll(Set.of(), (current, changes) -> {
          state.clear();
          state.putAll(current);
        }));
      }

      Map<Integer, String> acknowledged = new LinkedHashMap<>();
      int refused = 0;
      for (int i = 0; i < 200; i++) {
        if (i == 60) {
          owner.process().destroyForcibly(); // SIGKILL
          assertTrue(owner.process().waitFor(10, TimeUnit.SECONDS));
        }
        String value = "v" + i;
        String batch = "[{\"type\":\"update\",\"data\":{\"id\":" + (i % 50) + ",\"v\":\"" + value + "\"}}]";
        Node through = survivors.get(i % 2);
        long deadline = System.nanoTime() + WAIT.toNanos();
        String key = "batch-" + i;
        int status;
        while ((status = publish(through, batch, key)) != 200) {
          assertTrue(status == 503 || status == 0, "only 503 (retry later) while the owner changes, got " + status);
          assertTrue(System.nanoTime() < deadline, "the cluster did not accept batch " + i + " in time");
          refused++;
          through.process().waitFor(100, TimeUnit.MILLISECONDS);
        }
        acknowledged.put(i % 50, value);
      }

      for (Node survivor : survivors) {
        awaitServedSeq(survivor, 200); // its mirror follows the new owner's epoch, moments behind the owner
        HttpResponse<String> poll = null;
        Backlog backlog = new Backlog();
        try (var stream = http.send(HttpRequest.newBuilder(URI.create(survivor.url() + "/poll" + subscribeQuery()))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofLines()).body()) {
          backlog.apply(Batches.parse(stream.findFirst().orElseThrow(), "id"));
        }
        for (Map.Entry<Integer, String> last : acknowledged.entrySet()) {
          assertEquals(last.getValue(), backlog.get(Key.of(last.getKey())).get("v").asText(),
              "the last acknowledged value of record " + last.getKey() + " on node " + survivor.port());
        }
        assertEquals(200, info(survivor).getLong("seq"),
            "exactly the 200 acknowledged batches were applied, each once though some were sent again");
      }
      for (int i = 0; i < survivors.size(); i++) {
        Map<Key, com.fasterxml.jackson.databind.node.ObjectNode> state = states.get(i);
        Await.await(Await.eventually(vertx, "the follower of node " + survivors.get(i).port() + " converges", 300, 100,
            () -> io.vertx.core.Future.succeededFuture(state.size() == 50 && state.get(Key.of(49)).get("v").asText().equals("v199")),
            converged -> converged), WAIT);
        assertEquals(ConnectionState.CONNECTED, subscriptions.get(i).state());
      }
      System.out.println("ClusterIT: " + refused + " publish attempts answered 503 or failed during the fail-over");
      for (SyncClient follower : followers) {
        Await.await(follower.close());
      }
    } finally {
      Await.await(vertx.close());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
