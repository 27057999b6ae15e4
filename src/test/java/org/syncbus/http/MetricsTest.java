package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.PrometheusText;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * {@code /metrics} (README, "Metrics and health") after known traffic, read by the Prometheus
 * client's own parser; who may read it ({@code metrics.requireAdmin}, {@code admin.token}, the
 * JWT {@code admin} right); and {@code metrics.enabled}.
 */
class MetricsTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String ADMIN_TOKEN = "admin-token-of-sixteen-bytes-or-more";
  private static final String JWT_SECRET = "jwt-secret-for-the-metrics-test-0123";

  @TempDir
  Path dir;

  private static JsonObject config(boolean requireAdmin) {
    return Configs.defaultNode()
        .put("metrics", new JsonObject().put("requireAdmin", requireAdmin))
        .put("admin", new JsonObject().put("token", ADMIN_TOKEN))
        .put("auth", JwtTokens.auth(JWT_SECRET));
  }

  private static HttpReply scrape(TestNode node, String bearer) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (bearer != null) {
      headers.add("Authorization", "Bearer " + bearer);
    }
    return await(node.send(HttpMethod.GET, "/metrics", headers, null));
  }

  private PrometheusText metrics(TestNode node) throws Exception {
    HttpReply reply = scrape(node, ADMIN_TOKEN);
    assertEquals(200, reply.status(), reply::toString);
    assertTrue(reply.contentType().startsWith("text/plain; version=0.0.4"), reply.contentType());
    return PrometheusText.parse(reply.body(), dir);
  }

  private String jwt(JsonObject rights) {
    return JwtTokens.sign(vertx, JWT_SECRET, rights);
  }

  @Test
  void metricsShowBatchesSubscribersDeliveriesAndRefusalsAsTheyHappened() throws Exception {
    TestNode node = start(config(false));
    List<PollStream> polls = List.of(await(node.pollOk(Q)), await(node.pollOk(Q)),
        await(node.openPoll("/events" + Tokens.pollQuery(Tokens.poll(Configs.SUBSCRIBE_SECRET)))));
    for (PollStream poll : polls) {
      await(poll.line(0));
    }
    for (int i = 1; i <= 3; i++) {
      await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":" + i + "}}]"));
    }
    assertEquals(403, await(node.postUpdate(TestNode.updatePath(Q), "[]", "1:bad")).status());
    assertEquals(400, await(node.publish(Q, "[{\"type\":\"update\",\"data\":{}}]")).status());
    for (PollStream poll : polls) {
      await(poll.line(3)); // every batch delivered before the scrape
    }

    PrometheusText metrics = metrics(node);

    assertEquals(3, metrics.get("syncbus_batches_applied_total", "queue", Q));
    assertEquals(3, metrics.get("syncbus_apply_seconds_count", "queue", Q));
    assertEquals(2, metrics.get("syncbus_subscribers", "queue", Q, "kind", "poll"));
    assertEquals(1, metrics.get("syncbus_subscribers", "queue", Q, "kind", "events"));
    assertEquals(0, metrics.get("syncbus_subscribers", "queue", Q, "kind", "bridge"));
    assertEquals(9, metrics.get("syncbus_delivered_lines_total", "queue", Q), "3 batches to 3 subscribers");
    assertTrue(metrics.get("syncbus_delivered_bytes_total", "queue", Q) >= 9 * 40);
    assertEquals(3, metrics.get("syncbus_stream_starts_total", "queue", Q, "start", "snapshot"));
    assertEquals(3, metrics.get("syncbus_queue_records", "queue", Q));
    assertEquals(3, metrics.get("syncbus_queue_seq", "queue", Q, "epoch", await(node.infoOk(Q)).getString("epoch")));
    assertEquals(1, metrics.get("syncbus_refusals_total", "status", "403", "cause", "INVALID_TOKEN"));
    assertEquals(1, metrics.get("syncbus_refusals_total", "status", "400", "cause", "INVALID_BATCH"));
    assertTrue(metrics.get("syncbus_connections", "port", Integer.toString(node.port()), "kind", "http") >= 1);
    // Summed over the heap's pools: one of them (a survivor space, say) may be empty right after a collection.
    assertTrue(metrics.sum("jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(metrics.value("process_files_open_files").isPresent());
  }

  @Test
  void withRequireAdminOnlyTheAdminTokenOrAnAdminJwtMayScrape() {
    TestNode node = start(config(true));
    assertEquals(401, scrape(node, null).status());
    assertEquals(401, scrape(node, "wrong-token-of-enough-bytes").status());
    assertEquals(200, scrape(node, ADMIN_TOKEN).status());
    assertEquals(200, scrape(node, jwt(new JsonObject().put("*", new JsonArray().add("admin")))).status());
    assertEquals(403, scrape(node, jwt(new JsonObject().put("*", new JsonArray().add("publish").add("subscribe")))).status());
    assertEquals(403, scrape(node, jwt(new JsonObject().put(Q, new JsonArray().add("admin")))).status(),
        "admin is granted on * only");
  }

  @Test
  void withoutRequireAdminAnyoneMayScrape() {
    TestNode node = start(config(false));
    assertEquals(200, scrape(node, null).status());
  }

  @Test
  void onALoopbackHostMetricsNeedNoAdminByDefault() {
    TestNode node = start(Configs.defaultNode());
    assertEquals(200, scrape(node, null).status(), "http.host 127.0.0.1: requireAdmin defaults to false");
  }

  @Test
  void metricsOffAnswer404() {
    TestNode node = start(Configs.defaultNode().put("metrics", new JsonObject().put("enabled", false)));
    HttpReply reply = scrape(node, null);
    assertEquals(404, reply.status());
    assertTrue(reply.body().startsWith("Not found: metrics are off"), reply::toString);
  }
}
