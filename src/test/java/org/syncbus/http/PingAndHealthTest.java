package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.syncbus.owner.QueueVerticle;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.TestNode;

/** PROTOCOL.md, "GET /__ping", and syncbus's {@code GET /health}. */
class PingAndHealthTest extends IntegrationTest {

  @Test
  void pingAnswersPongAsPlainText() {
    TestNode node = start(Configs.defaultNode());

    HttpReply reply = await(node.get("/__ping"));

    assertEquals(200, reply.status());
    assertEquals("pong", reply.body());
    assertTrue(reply.contentType().startsWith("text/plain"), reply.contentType());
  }

  @Test
  void healthIs200AndListsEveryQueueAsReadyWhenAllAreLoaded() {
    TestNode node = start(Configs.node(new JsonObject()
        .put("default", Configs.keyed("id"))
        .put("users", Configs.keyed("login"))));

    HttpReply reply = await(node.get("/health"));

    assertEquals(200, reply.status(), reply::toString);
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    JsonObject queues = new JsonObject(reply.body()).getJsonObject("queues");
    assertEquals(new JsonObject()
        .put("default", new JsonObject().put("ready", true))
        .put("users", new JsonObject().put("ready", true)), queues);
    assertEquals(false, new JsonObject(reply.body()).containsKey("quorum"), "a node on its own has no quorum to report");
  }

  @Test
  void healthIs503WhileAQueuesHttpBacklogSourceFailsAnd200OnceItLoads() {
    AtomicBoolean failing = new AtomicBoolean(true);
    HttpServer source = await(vertx.createHttpServer()
        .requestHandler(request -> {
          if (failing.get()) {
            request.response().setStatusCode(500).end("down");
          } else {
            request.response().putHeader("Content-Type", "application/json").end("[{\"mac\":\"aa\"}]");
          }
        })
        .listen(0, TestNode.HOST));
    LogCapture log = closeAfter(LogCapture.of(QueueVerticle.class));
    TestNode node = startWithoutWaiting(Configs.node(new JsonObject()
        .put("default", Configs.keyed("id"))
        .put("machines", Configs.keyed("mac", new JsonObject()
            .put("type", "http")
            .put("url", "http://" + TestNode.HOST + ":" + source.actualPort() + "/machines")))));

    await(log.message(line -> line.contains("queue machines") && line.contains("attempt 2")));
    HttpReply down = await(node.get("/health"));
    assertEquals(503, down.status(), down::toString);
    JsonObject queues = new JsonObject(down.body()).getJsonObject("queues");
    assertEquals(false, queues.getJsonObject("machines").getBoolean("ready"), down::toString);

    failing.set(false);
    HttpReply up = await(node.awaitReady());
    assertEquals(true, new JsonObject(up.body()).getJsonObject("queues").getJsonObject("machines").getBoolean("ready"));
    assertEquals(true, new JsonObject(up.body()).getJsonObject("queues").getJsonObject("default").getBoolean("ready"));
  }
}
