package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.PrometheusText;
import org.syncbus.testing.TestCluster;
import org.syncbus.testing.TestNode;

/**
 * {@code /health/live} and {@code /health/ready} (README, "Metrics and health"), in the shape of
 * Vert.x's health checks: under load, with a queue still loading its backlog, and on a cluster
 * member without a majority.
 */
class HealthTest extends IntegrationTest {
  private final TestCluster cluster = new TestCluster();

  @TempDir
  Path dir;

  @AfterEach
  void stopCluster() {
    try {
      cluster.checkNothingLeaked();
    } finally {
      cluster.close();
    }
  }

  private static JsonObject body(HttpReply reply) {
    assertTrue(reply.contentType().startsWith("application/json"), reply::toString);
    return new JsonObject(reply.body());
  }

  private static JsonObject check(JsonObject body, String id) {
    JsonArray checks = body.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if (checks.getJsonObject(i).getString("id").equals(id)) {
        return checks.getJsonObject(i);
      }
    }
    throw new AssertionError("no check " + id + " in " + body.encode());
  }

  private static void assertShape(JsonObject body, String status) {
    assertEquals(status, body.getString("status"), body::encode);
    assertEquals(status, body.getString("outcome"), body::encode);
    for (Object check : body.getJsonArray("checks")) {
      JsonObject one = (JsonObject) check;
      assertTrue(one.containsKey("id") && one.containsKey("status") && one.containsKey("data"), one::encode);
    }
  }

  @Test
  void liveAndReadyAnswerUpWhileTheNodeServesBatches() {
    TestNode node = start(Configs.defaultNode());
    PollStream poll = await(node.pollOk(Configs.DEFAULT));
    await(poll.line(0));
    List<io.vertx.core.Future<Void>> publishing = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      publishing.add(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":" + i + "}}]"));
    }
    HttpReply live = await(node.get("/health/live"));
    HttpReply ready = await(node.get("/health/ready"));
    await(io.vertx.core.Future.all(publishing));

    assertEquals(200, live.status(), live::toString);
    assertShape(body(live), "UP");
    assertTrue(check(body(live), "event-loops").getJsonObject("data").getInteger("eventLoops") >= 1);
    assertEquals(200, ready.status(), ready::toString);
    assertShape(body(ready), "UP");
    JsonObject queue = check(body(ready), "queue:default");
    assertEquals("UP", queue.getString("status"));
    assertEquals(true, queue.getJsonObject("data").getBoolean("loaded"));
    assertEquals(true, queue.getJsonObject("data").getBoolean("ownerPresent"));
  }

  @Test
  void aQueueStillLoadingItsBacklogMakesTheNodeNotReadyButLive() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    JsonObject config = Configs.node(new JsonObject()
        .put("ready", Configs.keyed("id"))
        .put("loading", Configs.keyed("id", new JsonObject().put("type", "http").put("url", "http://127.0.0.1:" + closed + "/"))));
    TestNode node = startWithoutWaiting(config);

    // The queue "ready" loads at once but not before the node answers: wait for it, not for "loading".
    HttpReply ready = await(Await.eventually(vertx, "queue ready loaded", 100, 50, () -> node.get("/health/ready"),
        reply -> "UP".equals(check(body(reply), "queue:ready").getString("status"))));
    assertEquals(503, ready.status(), ready::toString);
    assertShape(body(ready), "DOWN");
    assertEquals("DOWN", check(body(ready), "queue:loading").getString("status"));
    assertEquals(false, check(body(ready), "queue:loading").getJsonObject("data").getBoolean("loaded"));
    assertEquals("UP", check(body(ready), "queue:ready").getString("status"));
    assertEquals(200, await(node.get("/health/live")).status(), "loading, but live");
  }

  @Test
  void aClusterMemberWithoutAMajorityIsNotReadyAndSaysSoInItsMetrics() throws Exception {
    TestCluster.Member alone = cluster.join(Configs.defaultNode()); // cluster.members 3 by default: 1 is no majority
    TestNode node = alone.client(vertx);

    HttpReply ready = await(node.get("/health/ready"));
    assertEquals(503, ready.status(), ready::toString);
    JsonObject quorum = check(body(ready), "quorum");
    assertEquals("DOWN", quorum.getString("status"));
    assertEquals(2, quorum.getJsonObject("data").getInteger("majority"));
    assertEquals(200, await(node.get("/health/live")).status());

    PrometheusText metrics = PrometheusText.parse(await(node.get("/metrics")).body(), dir);
    assertEquals(0, metrics.get("syncbus_cluster_quorum"));
    assertEquals(1, metrics.get("syncbus_cluster_members"));
  }
}
