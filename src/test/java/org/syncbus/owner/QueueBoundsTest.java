package org.syncbus.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Failure;
import org.syncbus.contract.Refusal;
import org.syncbus.limits.NodeLimits;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * README, "Limits": a queue's backlog is bounded by {@code queues.Q.limits.records} and
 * {@code .bytes}. A batch that would take it past either is refused, 507 {@code Queue full} over
 * HTTP and failure code 507 on the event bus, with a message naming the bound and the figures, and
 * nothing of it is applied (backlog, seq and open streams unchanged). Deletes, and updates that do
 * not grow the queue, always pass; the bounds follow reloads. README, "Sizing the heap": a node
 * whose queues' bounds together exceed its heap says so at start.
 */
class QueueBoundsTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  @TempDir
  Path dir;

  private static JsonObject config(long records, long bytes) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("queues").getJsonObject(Q)
        .put("limits", new JsonObject().put("records", records).put("bytes", bytes));
    return config;
  }

  private static String update(String id, String text) {
    return "{\"type\":\"update\",\"data\":{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}}";
  }

  private static String delete(String id) {
    return "{\"type\":\"delete\",\"data\":{\"id\":\"" + id + "\"}}";
  }

  private static String batch(String... updates) {
    return "[" + String.join(",", updates) + "]";
  }

  /** The encoded bytes these updates' records count against {@code limits.bytes}. */
  private static long bytesOf(String... updates) throws InvalidBatchException {
    return Json.elements(Batches.parse(batch(updates), "id")).stream().mapToLong(element -> element.length).sum();
  }

  private static long seq(TestNode node) {
    return await(node.infoOk(Q)).getLong("seq");
  }

  private void assertNothingApplied(TestNode node, String backlog, long seq, PollStream open) {
    assertEquals(backlog, await(node.backlogLine(Q)), "the backlog is unchanged");
    assertEquals(seq, seq(node), "no seq was used");
    String next = batch(delete("nobody"));
    int index = open.lineCount();
    await(node.publishOk(Q, next));
    assertEquals(next, await(open.line(index)), "the open stream's next line is the next batch, not the refused one");
  }

  @Test
  void batchOverTheRecordBoundIsRefusedWith507OverHttpAndNothingOfItIsApplied() {
    TestNode node = start(config(3, 1_000_000));
    await(node.publishOk(Q, batch(update("a", "1"), update("b", "1"))));
    String backlog = await(node.backlogLine(Q));
    PollStream open = await(node.pollOk(Q));
    await(open.line(0));

    HttpReply refused = await(node.publish(Q, batch(update("a", "2"), update("c", "1"), update("d", "1"))));

    assertEquals(507, refused.status(), refused::toString);
    assertEquals("Queue full: queue default would hold 4 records (queues.default.limits.records is 3)", refused.body());
    assertEquals(Refusal.QUEUE_FULL.text(), refused.body().substring(0, refused.body().indexOf(':')));
    assertNothingApplied(node, backlog, 1, open);
  }

  @Test
  void batchOverTheByteBoundIsRefusedWithFailureCode507OnTheEventBusAndNothingOfItIsApplied() throws InvalidBatchException {
    String first = update("a", "x".repeat(40));
    String grown = update("a", "x".repeat(41));
    long bound = bytesOf(first);
    TestNode node = start(config(1_000, bound));
    await(vertx.eventBus().request(Addresses.apply(Q), batch(first)));
    String backlog = await(node.backlogLine(Q));
    PollStream open = await(node.pollOk(Q));
    await(open.line(0));

    Throwable failure = Await.awaitFailure(vertx.eventBus().request(Addresses.apply(Q), batch(grown)));

    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(507, reply.failureCode());
    assertEquals(Failure.QUEUE_FULL, Failure.of(reply));
    assertEquals("queue default would hold " + bytesOf(grown) + " bytes of records (queues.default.limits.bytes is "
        + bound + ")", reply.getMessage());
    assertNothingApplied(node, backlog, 1, open);
  }

  @Test
  void deletesAndUpdatesThatDoNotGrowTheQueuePassAtItsBounds() throws InvalidBatchException {
    String a = update("a", "12345");
    String b = update("b", "12345");
    TestNode node = start(config(2, bytesOf(a, b)));
    await(node.publishOk(Q, batch(a, b)));

    await(node.publishOk(Q, batch(update("a", "54321"))));
    await(node.publishOk(Q, batch(update("b", "1"))));
    await(node.publishOk(Q, batch(delete("a"), update("c", "1"))));
    await(node.publishOk(Q, batch(delete("c"), delete("absent"))));

    assertEquals(507, await(node.publish(Q, batch(update("c", "1"), update("d", "1")))).status(), "two new records");
    assertEquals(507, await(node.publish(Q, batch(update("b", "x".repeat(60))))).status(), "past the byte bound");
    assertEquals(batch(update("b", "1")), await(node.backlogLine(Q)));
    assertEquals(5, seq(node));
  }

  @Test
  void boundsFollowAReloadAndAQueuePastThemStillTakesWhatDoesNotGrowIt() throws IOException {
    Path file = dir.resolve("syncbus.json");
    LogCapture log = closeAfter(LogCapture.of("org.syncbus"));
    TestNode node = startFromFile(config(10, 1_000_000).put("reload", new JsonObject().put("scanSeconds", 1)), file);
    await(node.publishOk(Q, batch(update("a", "1"), update("b", "1"), update("c", "1"))));

    Files.writeString(file, config(2, 1_000_000).put("reload", new JsonObject().put("scanSeconds", 1)).encodePrettily());
    await(log.message(line -> line.startsWith("configuration reloaded")));

    HttpReply refused = await(node.publish(Q, batch(update("d", "1"))));
    assertEquals(507, refused.status(), refused::toString);
    assertEquals("Queue full: queue default would hold 4 records (queues.default.limits.records is 2)", refused.body());
    await(node.publishOk(Q, batch(update("a", "2"))));
    await(node.publishOk(Q, batch(delete("a"))));
    assertEquals(List.of(507, 200), List.of(
        await(node.publish(Q, batch(update("a", "1")))).status(),
        await(node.publish(Q, batch(delete("b"), update("a", "1")))).status()));
    assertEquals(batch(update("c", "1"), update("a", "1")), await(node.backlogLine(Q)));
  }

  @Test
  void aNodeWhoseQueuesBoundsExceedTheHeapSaysSoInOneWarningAtStart() {
    LogCapture log = closeAfter(LogCapture.of(NodeLimits.class));
    long heap = Runtime.getRuntime().maxMemory();
    start(config(1_000, heap));

    List<String> warnings = log.messages(Level.WARNING);
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).startsWith("queues: their bounds let them hold about "), warnings.get(0));
    assertTrue(warnings.get(0).contains("(default "), warnings.get(0));
    assertTrue(warnings.get(0).contains("more than the maximum heap of " + String.format(Locale.ROOT, "%,.0f MB",
        heap / (1024.0 * 1024))), warnings.get(0));
  }

  @Test
  void aNodeWhoseQueuesBoundsFitTheHeapSaysNothingOfThem() {
    LogCapture log = closeAfter(LogCapture.of(NodeLimits.class));
    JsonObject config = config(1_000, 1024 * 1024);
    config.getJsonObject("queues").getJsonObject(Q).put("retain", new JsonObject().put("bytes", 1024 * 1024));
    start(config);

    assertEquals(List.of(), log.messages(Level.WARNING));
  }
}
