package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncbus.owner.QueueVerticle;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * PROTOCOL.md, "What the original server did on start", and README, "Configuration"
 * ({@code queues.Q.backlog}): the initial backlog comes from a {@code file} or an {@code http}
 * source; until it is loaded the queue answers 503 on poll and update, and loading is retried.
 */
class BacklogSourceTest extends IntegrationTest {
  private static final String Q = "machines";
  private static final String RECORDS = """
      [{"mac":"aa:bb:cc","room":"r1"},
       {"mac":18446744073709551616,"room":"r2","tags":["x",{"y":1.50}]},
       {"mac":1,"room":"r3"},
       {"mac":"1","room":"r4"}]""";
  private static final String AS_UPDATES = """
      [{"type":"update","data":{"mac":"aa:bb:cc","room":"r1"}},
       {"type":"update","data":{"mac":18446744073709551616,"room":"r2","tags":["x",{"y":1.50}]}},
       {"type":"update","data":{"mac":1,"room":"r3"}},
       {"type":"update","data":{"mac":"1","room":"r4"}}]""";
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"mac\":\"new\"}}]";

  @TempDir
  Path dir;

  private static JsonObject config(JsonObject backlog) {
    return Configs.node(new JsonObject().put(Q, Configs.keyed("mac", backlog)));
  }

  private static void write(Path file, String content) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void assertNotReady(TestNode node) {
    PollStream poll = await(node.poll(Q));
    assertEquals(503, poll.status(), "poll while the backlog is not loaded");
    await(poll.refusalBody());
    HttpReply update = await(node.publish(Q, BATCH));
    assertEquals(503, update.status(), () -> "update while the backlog is not loaded: " + update);
    assertEquals(503, await(node.get("/health")).status());
  }

  @Test
  void fileBacklogIsTheFirstPollLineInFileOrder() throws IOException {
    Path file = dir.resolve("machines.json");
    write(file, RECORDS);
    TestNode node = start(config(new JsonObject().put("type", "file").put("path", file.toString())));

    PollStream poll = await(node.pollOk(Q));

    assertJsonEquals(AS_UPDATES, await(poll.line(0)));
    JsonObject info = await(node.infoOk(Q));
    assertEquals(4, info.getInteger("records"));
    assertEquals(0L, info.getLong("seq"), "the loaded backlog is seq 0");
    await(node.publishOk(Q, BATCH));
    assertJsonEquals(BATCH, await(poll.line(1)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "{\"mac\":\"aa\"}",
      "[{\"mac\":\"aa\"},{\"room\":\"no key\"}]",
      "[{\"mac\":1.5}]",
      "[[\"mac\"]]",
      "",
  })
  void invalidBacklogFileKeepsTheQueueAnswering503UntilTheFileIsFixed(String content) throws IOException {
    Path file = dir.resolve("machines.json");
    write(file, content);
    LogCapture log = closeAfter(LogCapture.of(QueueVerticle.class));
    TestNode node = startWithoutWaiting(config(new JsonObject().put("type", "file").put("path", file.toString())));

    await(log.message(line -> line.contains("queue " + Q) && line.contains("attempt 3")));
    assertNotReady(node);

    write(file, RECORDS);
    await(node.awaitReady());
    assertJsonEquals(AS_UPDATES, await(node.backlogLine(Q)));
  }

  @Test
  void missingBacklogFileKeepsTheQueueAnswering503() {
    LogCapture log = closeAfter(LogCapture.of(QueueVerticle.class));
    TestNode node = startWithoutWaiting(config(new JsonObject()
        .put("type", "file").put("path", dir.resolve("absent.json").toString())));

    await(log.message(line -> line.contains("queue " + Q) && line.contains("attempt 2")));

    assertNotReady(node);
  }

  @Test
  void httpBacklogSourceFailingTwiceKeepsTheQueue503ThenItsRecordsAreServed() {
    AtomicInteger requests = new AtomicInteger();
    Promise<HttpServerResponse> third = Promise.promise();
    HttpServer source = await(vertx.createHttpServer()
        .requestHandler(request -> {
          int n = requests.incrementAndGet();
          if (n <= 2) {
            request.response().setStatusCode(500).end("database unavailable");
          } else if (n == 3) {
            third.complete(request.response());
          } else {
            request.response().setStatusCode(500).end("asked again after a success");
          }
        })
        .listen(0, TestNode.HOST));
    TestNode node = startWithoutWaiting(config(new JsonObject()
        .put("type", "http").put("url", "http://" + TestNode.HOST + ":" + source.actualPort() + "/machines")));

    // The third attempt is held open: until it is answered, the queue must still be refusing.
    HttpServerResponse held = await(third.future());
    assertNotReady(node);
    held.putHeader("Content-Type", "application/json").end(RECORDS);

    await(node.awaitReady());
    PollStream poll = await(node.pollOk(Q));
    assertJsonEquals(AS_UPDATES, await(poll.line(0)));
    await(node.publishOk(Q, BATCH));
    assertJsonEquals(BATCH, await(poll.line(1)));
    assertEquals(3, requests.get(), "the source is read until it succeeds, then no more");
  }
}
