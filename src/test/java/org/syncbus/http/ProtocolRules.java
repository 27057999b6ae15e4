package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncbus.testing.ClientState;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestJson;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * The rules of the HTTP wire protocol (PROTOCOL.md; README, "HTTP endpoints" and "Resume and
 * server-sent events"), one test per rule, run on one node by {@link ProtocolSingleNodeTest} and on
 * a three-node cluster by {@link ProtocolClusterTest}, as vertx-web runs its
 * {@code EventbusBridgeTest} locally and clustered.
 *
 * <p><b>Roles.</b> Publishers talk to {@link #publisher()}, subscribers to {@link #subscriber()}.
 * On one node both are that node; on the cluster they are the two members that do not own the
 * test's queue, so every batch travels from one node to the owner and from the owner to another.
 *
 * <p><b>Independence.</b> Each test has queues of its own ({@link #queue()}, keyed by {@value #PK}
 * and retaining {@value #RETAIN_BATCHES} batches; {@link #otherQueue()}, keyed by
 * {@value #OTHER_PK}), with nothing published and no subscriber: tests stay independent though one
 * cluster serves a whole class.
 *
 * <p><b>Where one node and a cluster differ.</b> A 200 from {@code /update} means the owner applied
 * the batch (PROTOCOL.md, "POST /update"). One node serves it at once; another node of a cluster
 * once its mirror has followed the owner's stream, a moment later. A rule that opens a new stream,
 * or asks for info, after publishing goes through {@link #caughtUp(TestNode)}, which on one node
 * asserts the node already serves every batch acknowledged and on a cluster waits (bounded) until
 * it does. Streams opened before the publishing receive every batch in order on both.
 */
abstract class ProtocolRules extends IntegrationTest {
  static final String PK = "id";
  static final String OTHER_PK = "login";
  static final int RETAIN_BATCHES = 3;

  private static final String SEED = "[{\"type\":\"update\",\"data\":{\"id\":\"seed\",\"v\":1}}]";
  private static final String MARKER = "[{\"type\":\"update\",\"data\":{\"id\":\"marker\"}}]";
  private static final String GOOD = "{\"type\":\"update\",\"data\":{\"id\":\"seed\",\"v\":2}}";
  private static final String ADA = "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]";

  /** Batches acknowledged so far in this test, per queue: the seq each queue must be at. */
  private final Map<String, Long> published = new HashMap<>();

  /** The node publishers send their batches to. */
  protected abstract TestNode publisher();

  /** The node subscribers open their streams on. */
  protected abstract TestNode subscriber();

  /** Every node serving the queues: the one node, or every member of the cluster. */
  protected abstract List<TestNode> nodes();

  /** This test's queue, keyed by {@value #PK}: nothing published yet, no subscriber. */
  protected abstract String queue();

  /** A second queue of this test's, keyed by {@value #OTHER_PK}: nothing published yet, no subscriber. */
  protected abstract String otherQueue();

  /**
   * Returns once {@code node} serves {@code queue} at {@code seq}: at once on one node (asserted,
   * never awaited), after a bounded wait on a cluster's members.
   */
  protected abstract void awaitServed(TestNode node, String queue, long seq);

  /**
   * The configuration of every node: {@code queues} keyed by {@value #PK}, {@code others} keyed by
   * {@value #OTHER_PK}, with the test secrets; keep-alive comments every second.
   */
  static JsonObject config(List<String> queues, List<String> others) {
    JsonObject all = new JsonObject();
    queues.forEach(queue -> all.put(queue, Configs.keyed(PK).put("retain", new JsonObject().put("batches", RETAIN_BATCHES))));
    others.forEach(queue -> all.put(queue, Configs.keyed(OTHER_PK)));
    return Configs.node(all).put("sse", new JsonObject().put("keepAliveSeconds", 1));
  }

  private static String record(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  /** Publishes {@code batch} to {@code queue} through the publisher's node; fails unless 200. */
  private void publish(String queue, String batch) {
    await(publisher().publishOk(queue, batch));
    published.merge(queue, 1L, Long::sum);
  }

  private void publish(String batch) {
    publish(queue(), batch);
  }

  /** Publishes one record per batch, ids {@code from} to {@code to}. */
  private void publishRecords(int from, int to) {
    for (int id = from; id <= to; id++) {
      publish(record(id));
    }
  }

  /** {@code node}, once it serves every batch this test published to {@link #queue()}. */
  private TestNode caughtUp(TestNode node) {
    return caughtUp(node, queue());
  }

  private TestNode caughtUp(TestNode node, String queue) {
    awaitServed(node, queue, published.getOrDefault(queue, 0L));
    return node;
  }

  private PollStream subscribe() {
    PollStream poll = await(caughtUp(subscriber()).pollOk(queue()));
    await(poll.line(0));
    return poll;
  }

  private JsonObject info(TestNode node) {
    return await(caughtUp(node).infoOk(queue()));
  }

  // --- PROTOCOL.md, "GET /poll" and "POST /update" ----------------------------------------------

  @Test
  void firstLineIsEmptyArrayWhenTheBacklogIsEmpty() {
    PollStream poll = await(subscriber().pollOk(queue()));

    assertJsonEquals("[]", await(poll.line(0)));
  }

  @Test
  void pollResponseStaysOpenAsAChunkedStream() {
    PollStream poll = subscribe();

    assertEquals("chunked", poll.headers().get("Transfer-Encoding"));
    publish(record(1));
    assertJsonEquals(record(1), await(poll.line(1)));
    assertEquals("", poll.unterminated());
  }

  @Test
  void firstLineIsTheWholeBacklogInBacklogOrder() {
    publish("""
        [{"type":"update","data":{"id":"a","v":1}},
         {"type":"update","data":{"id":"b","v":1}},
         {"type":"update","data":{"id":"c","v":1}}]""");
    // Replacing keeps the position; delete then re-create moves to the end.
    publish("[{\"type\":\"update\",\"data\":{\"id\":\"b\",\"v\":2}}]");
    publish("""
        [{"type":"delete","data":{"id":"a"}},
         {"type":"update","data":{"id":"a","v":3}},
         {"type":"delete","data":{"id":"absent"}}]""");

    PollStream poll = await(caughtUp(subscriber()).pollOk(queue()));

    assertJsonEquals("""
        [{"type":"update","data":{"id":"b","v":2}},
         {"type":"update","data":{"id":"c","v":1}},
         {"type":"update","data":{"id":"a","v":3}}]""", await(poll.line(0)));
  }

  @Test
  void thenOneLinePerAcceptedBatchInTheOrderApplied() {
    publish("[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"before\"}}]");
    PollStream poll = await(caughtUp(subscriber()).pollOk(queue()));
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"before\"}}]", await(poll.line(0)));

    String[] batches = {
        "[{\"type\":\"update\",\"data\":{\"id\":2,\"v\":\"x\"}},{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"y\"}}]",
        "[{\"type\":\"delete\",\"data\":{\"id\":1,\"ignored\":true}}]",
        "[{\"type\":\"delete\",\"data\":{\"id\":404}}]",
        "[{\"type\":\"update\",\"data\":{\"id\":3}},{\"type\":\"update\",\"data\":{\"id\":3,\"v\":\"last wins\"}}]",
    };
    for (String batch : batches) {
      publish(batch);
    }

    for (int i = 0; i < batches.length; i++) {
      assertJsonEquals(batches[i], await(poll.line(i + 1)));
    }
    publish("[]");
    assertJsonEquals("[]", await(poll.line(batches.length + 1)));
    assertEquals(batches.length + 2, poll.lineCount(), () -> "one line per batch, no more: " + poll.lines());
  }

  @Test
  void emptyBatchIsAcceptedAndPublishedAsAnEmptyLine() {
    publish(record(1));
    PollStream poll = subscribe();
    long seqBefore = info(subscriber()).getLong("seq");

    publish("[]");

    assertJsonEquals("[]", await(poll.line(1)));
    assertEquals(seqBefore + 1, info(subscriber()).getLong("seq"), "an empty batch still gets a sequence number");
    assertJsonEquals(record(1), await(caughtUp(subscriber()).backlogLine(queue())));
  }

  @Test
  void updateAnswers200WithAnEmptyBodyOnceTheBatchIsApplied() {
    HttpReply reply = await(publisher().publish(queue(), record(7)));

    assertEquals(200, reply.status(), reply::toString);
    assertEquals("", reply.body());
    published.merge(queue(), 1L, Long::sum);
    // Applied before the answer: a poll opened after it has the batch in its backlog.
    assertJsonEquals(record(7), await(caughtUp(subscriber()).backlogLine(queue())));
    assertJsonEquals(record(7), await(caughtUp(publisher()).backlogLine(queue())));
  }

  @Test
  void everyOpenStreamReceivesEachBatch() {
    PollStream first = await(subscriber().pollOk(queue()));
    PollStream second = await(publisher().pollOk(queue()));
    await(first.line(0));
    await(second.line(0));

    publish("[{\"type\":\"update\",\"data\":{\"id\":\"x\"}}]");

    assertEquals(await(first.line(1)), await(second.line(1)));
    assertTrue(first.lineAt(1).contains("\"x\""), () -> first.lines().toString());
  }

  // --- README, "HTTP endpoints": /queues/Q/info ---------------------------------------------------

  @Test
  void infoDescribesTheQueueItsOwnerAndEachNodesOwnSubscribers() {
    String users = otherQueue();
    publish(users, "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}},{\"type\":\"update\",\"data\":{\"login\":\"bob\"}}]");
    publish(users, "[{\"type\":\"delete\",\"data\":{\"login\":\"bob\"}}]");
    publish(users, "[]");
    PollStream poll = await(caughtUp(subscriber(), users).pollOk(users));
    await(poll.line(0));

    JsonObject info = await(subscriber().infoOk(users));

    assertEquals(users, info.getString("queue"));
    assertEquals(OTHER_PK, info.getString("pk"));
    assertEquals(3L, info.getLong("seq"), info::encode);
    assertEquals(1, info.getInteger("records"), info::encode);
    assertEquals(1, info.getInteger("subscribers"), info::encode);
    assertEquals(subscriber().nodeId(), info.getString("node"), info::encode);
    assertFalse(info.getString("epoch").isEmpty(), info::encode);
    List<String> ids = nodes().stream().map(TestNode::nodeId).toList();
    assertTrue(ids.contains(info.getString("owner")), () -> "the owner is one of the nodes " + ids + ": " + info);
    for (TestNode node : nodes()) {
      JsonObject there = await(caughtUp(node, users).infoOk(users));
      assertEquals(node.nodeId(), there.getString("node"), there::encode);
      assertEquals(info.getString("owner"), there.getString("owner"), "every node names the same owner");
      assertEquals(info.getString("epoch"), there.getString("epoch"), "every node serves the same history");
      assertEquals(node == subscriber() ? 1 : 0, there.getInteger("subscribers"), () -> "each node counts its own: " + there);
    }
    JsonObject other = await(subscriber().infoOk(queue()));
    assertEquals(0L, other.getLong("seq"));
    assertEquals(0, other.getInteger("subscribers"));
    assertEquals(PK, other.getString("pk"));
  }

  @Test
  void infoNeedsAValidSubscribeToken() {
    String path = TestNode.infoPath(queue());

    HttpReply missing = await(subscriber().get(path + "?data=%7B%7D"));
    HttpReply wrong = await(subscriber().get(path + Tokens.pollQuery(Tokens.poll("wrong"))));
    HttpReply publisher = await(subscriber().get(path + Tokens.pollQuery(Tokens.poll(Configs.PUBLISH_SECRET))));

    assertTrue(missing.status() == 400 || missing.status() == 403, missing::toString);
    assertEquals(403, wrong.status());
    assertEquals("Invalid token", wrong.body());
    assertEquals(403, publisher.status());
    assertFalse(publisher.body().contains("subscribers"));
  }

  // --- README, "HTTP endpoints": every queue under /queues/Q/ -----------------------------------

  @Test
  void unknownQueueIs404OnPollUpdateAndInfoOnEveryNode() {
    String batch = record(1);
    String pollToken = Tokens.poll(Configs.SUBSCRIBE_SECRET);
    for (TestNode node : nodes()) {
      PollStream poll = await(node.openPoll("/queues/nope/poll" + Tokens.pollQuery(pollToken)));
      assertEquals(404, poll.status());
      assertEquals("Unknown queue: nope", await(poll.refusalBody()));
      HttpReply update = await(node.postUpdate("/queues/nope/update", batch, Tokens.update(Configs.PUBLISH_SECRET, batch)));
      assertEquals(404, update.status(), update::toString);
      HttpReply info = await(node.get("/queues/nope/info" + Tokens.pollQuery(pollToken)));
      assertEquals(404, info.status(), info::toString);
    }
  }

  @Test
  void queuesAreKeptApart() {
    String users = otherQueue();
    PollStream onUsers = await(subscriber().pollOk(users));
    PollStream onQueue = await(subscriber().pollOk(queue()));
    await(onUsers.line(0));
    await(onQueue.line(0));

    HttpReply reply = await(publisher().postUpdate("/queues/" + users + "/update", ADA, Tokens.update(Configs.PUBLISH_SECRET, ADA)));
    assertEquals(200, reply.status(), reply::toString);
    published.merge(users, 1L, Long::sum);

    assertJsonEquals(ADA, await(onUsers.line(1)));
    publish(record(1));
    assertJsonEquals(record(1), await(onQueue.line(1)));
    assertEquals(2, onQueue.lineCount(), () -> "a queue received another queue's batch: " + onQueue.lines());
    assertEquals(2, onUsers.lineCount(), () -> "a queue received another queue's batch: " + onUsers.lines());
    assertJsonEquals(ADA, await(caughtUp(subscriber(), users).backlogLine(users)));
    assertJsonEquals(record(1), await(caughtUp(subscriber()).backlogLine(queue())));
  }

  @Test
  void eachQueueValidatesBatchesWithItsOwnPrimaryKey() {
    String users = otherQueue();

    HttpReply wrongKey = await(publisher().publish(users, record(1)));

    assertEquals(400, wrongKey.status(), wrongKey::toString);
    assertTrue(wrongKey.body().contains("batch[0].data: missing key field \"login\""), wrongKey::toString);
    publish(users, ADA);
    assertJsonEquals(ADA, await(caughtUp(subscriber(), users).backlogLine(users)));
  }

  // --- PROTOCOL.md, "POST /update": a batch is applied whole or refused whole ---------------------

  /** A bad batch and what the refusal must name: the first bad element (or the batch itself). */
  static Stream<Arguments> malformedBatches() {
    return Stream.of(
        Arguments.of("not JSON", "[{\"type\":\"update\",", "batch"),
        Arguments.of("empty text", "", "batch"),
        Arguments.of("trailing text", "[] []", "batch"),
        Arguments.of("an object, not an array", GOOD, "batch"),
        Arguments.of("a string, not an array", "\"[]\"", "batch"),
        Arguments.of("null", "null", "batch"),
        Arguments.of("element not an object", "[" + GOOD + ",5]", "batch[1]"),
        Arguments.of("element an array", "[[" + GOOD + "]]", "batch[0]"),
        Arguments.of("missing type", "[" + GOOD + ",{\"data\":{\"id\":1}}]", "batch[1].type"),
        Arguments.of("unknown type", "[{\"type\":\"upsert\",\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("type with other case", "[{\"type\":\"Update\",\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("type not a string", "[{\"type\":1,\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("missing data", "[{\"type\":\"update\"}]", "batch[0].data"),
        Arguments.of("data an array", "[{\"type\":\"update\",\"data\":[{\"id\":1}]}]", "batch[0].data"),
        Arguments.of("data a string", "[{\"type\":\"update\",\"data\":\"{\\\"id\\\":1}\"}]", "batch[0].data"),
        Arguments.of("data null", "[{\"type\":\"delete\",\"data\":null}]", "batch[0].data"),
        Arguments.of("missing key", "[" + GOOD + "," + GOOD + ",{\"type\":\"update\",\"data\":{\"name\":\"x\"}}]", "batch[2].data"),
        Arguments.of("delete without key", "[{\"type\":\"delete\",\"data\":{}}]", "batch[0].data"),
        Arguments.of("null key", "[{\"type\":\"update\",\"data\":{\"id\":null}}]", "batch[0].data.id"),
        Arguments.of("boolean key", "[{\"type\":\"update\",\"data\":{\"id\":true}}]", "batch[0].data.id"),
        Arguments.of("fractional key", "[{\"type\":\"update\",\"data\":{\"id\":1.5}}]", "batch[0].data.id"),
        Arguments.of("integral decimal key", "[{\"type\":\"update\",\"data\":{\"id\":1.0}}]", "batch[0].data.id"),
        Arguments.of("exponent key", "[{\"type\":\"update\",\"data\":{\"id\":1e3}}]", "batch[0].data.id"),
        Arguments.of("object key", "[{\"type\":\"update\",\"data\":{\"id\":{\"n\":1}}}]", "batch[0].data.id"),
        Arguments.of("array key", "[{\"type\":\"update\",\"data\":{\"id\":[1]}}]", "batch[0].data.id"),
        Arguments.of("bad delete key after good updates",
            "[" + GOOD + ",{\"type\":\"update\",\"data\":{\"id\":\"new\"}},{\"type\":\"delete\",\"data\":{\"id\":false}}]",
            "batch[2].data.id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.syncbus.http.ProtocolRules#malformedBatches")
  void malformedBatchIsRefusedWith400NamingTheFirstBadElementAndNothingIsApplied(String shape, String data, String named) {
    PollStream open = seeded();

    HttpReply reply = await(publisher().publish(queue(), data));

    assertEquals(400, reply.status(), () -> shape + ": " + reply);
    assertTrue(reply.body().contains(named), () -> shape + ": the message must name " + named + ": " + reply.body());
    if (!named.equals("batch")) {
      String next = "batch[" + (Integer.parseInt(named.substring(6, named.indexOf(']'))) + 1);
      assertFalse(reply.body().contains(next), () -> "names a later element: " + reply.body());
    }
    assertNothingApplied(open);
  }

  @Test
  void formWithoutDataFieldIsRefusedWith400AndNothingIsApplied() {
    PollStream open = seeded();

    HttpReply reply = await(publisher().postUpdate(TestNode.updatePath(queue()), null, Tokens.update(Configs.PUBLISH_SECRET, "")));

    assertEquals(400, reply.status(), reply::toString);
    assertTrue(reply.body().contains("data"), reply::toString);
    assertNothingApplied(open);
  }

  @Test
  void formWithBadPercentEncodingIsRefusedWith400AndNothingIsApplied() {
    PollStream open = seeded();

    HttpReply reply = await(publisher().postForm(TestNode.updatePath(queue()), "data=%5B%ZZ&hmac=1%3Ax"));

    assertEquals(400, reply.status(), reply::toString);
    assertNothingApplied(open);
  }

  /** The queue holding {@link #SEED}, and a subscriber's stream that received it as its backlog. */
  private PollStream seeded() {
    publish(SEED);
    PollStream open = await(caughtUp(subscriber()).pollOk(queue()));
    assertJsonEquals(SEED, await(open.line(0)));
    return open;
  }

  /**
   * The refused request left no trace: the next line the open stream receives is the marker
   * published after it, then the queue's seq counts only what was acknowledged and its backlog is
   * the seed and the marker.
   */
  private void assertNothingApplied(PollStream open) {
    publish(MARKER);
    assertJsonEquals(MARKER, await(open.line(1)));
    assertEquals(2, open.lineCount(), () -> "lines: " + open.lines());
    for (TestNode node : List.of(publisher(), subscriber())) {
      assertEquals(published.get(queue()), info(node).getLong("seq"), "a refused batch must not take a sequence number");
    }
    assertJsonEquals("[" + SEED.substring(1, SEED.length() - 1) + "," + MARKER.substring(1), await(caughtUp(subscriber()).backlogLine(queue())));
  }

  // --- PROTOCOL.md, "Time tokens" ---------------------------------------------------------------

  /** A refused poll: the status, and the body when {@code body} is given. */
  private static void assertPollRefused(PollStream poll, int status, String body) {
    assertEquals(status, poll.status(), "poll status");
    String text = await(poll.refusalBody());
    if (body != null) {
      assertEquals(body, text);
    }
  }

  private PollStream pollWith(String token) {
    return await(subscriber().openPoll(TestNode.pollPath(queue()) + Tokens.pollQuery(token)));
  }

  private HttpReply updateWith(String data, String token) {
    return await(publisher().postUpdate(TestNode.updatePath(queue()), data, token));
  }

  @Test
  void tokenSignedWithAWrongSecretIsRefusedWith403InvalidToken() {
    PollStream open = seeded();

    assertPollRefused(pollWith(Tokens.poll("not-the-secret")), 403, "Invalid token");
    HttpReply update = updateWith(record(1), Tokens.update("not-the-secret", record(1)));

    assertEquals(403, update.status());
    assertEquals("Invalid token", update.body());
    assertNothingApplied(open);
  }

  @Test
  void expiredTokenIsRefusedWith403InvalidToken() {
    PollStream open = seeded();
    long old = Tokens.now() - 300;

    assertPollRefused(pollWith(Tokens.poll(Configs.SUBSCRIBE_SECRET, old)), 403, "Invalid token");
    HttpReply update = updateWith(record(1), Tokens.update(Configs.PUBLISH_SECRET, record(1), old));

    assertEquals(403, update.status());
    assertEquals("Invalid token", update.body());
    assertNothingApplied(open);
  }

  @Test
  void updateTokenMustSignTheExactDataSent() {
    PollStream open = seeded();

    HttpReply reply = updateWith(record(1), Tokens.update(Configs.PUBLISH_SECRET, record(2)));

    assertEquals(403, reply.status());
    assertEquals("Invalid token", reply.body());
    // The same batch with different spacing is a different message.
    HttpReply respaced = updateWith(record(1), Tokens.update(Configs.PUBLISH_SECRET, record(1).replace(",", ", ")));
    assertEquals(403, respaced.status());
    assertNothingApplied(open);
  }

  @Test
  void missingHmacIsRefusedOnPollAndUpdate() {
    PollStream open = seeded();

    PollStream poll = await(subscriber().openPoll(TestNode.pollPath(queue()) + "?data=%7B%7D"));
    assertTrue(poll.status() == 400 || poll.status() == 403, () -> "poll without hmac: " + poll.status());
    assertFalse(await(poll.refusalBody()).isBlank(), "the body says why");
    HttpReply update = updateWith(record(1), null);

    assertTrue(update.status() == 400 || update.status() == 403, update::toString);
    assertFalse(update.body().isBlank(), "the body says why");
    assertNothingApplied(open);
  }

  @Test
  void subscribeSecretNeverAllowsPublishing() {
    PollStream open = seeded();

    HttpReply reply = updateWith(record(1), Tokens.update(Configs.SUBSCRIBE_SECRET, record(1)));

    assertEquals(403, reply.status());
    assertEquals("Invalid token", reply.body());
    assertNothingApplied(open);
  }

  @Test
  void publishSecretDoesNotAllowPolling() {
    assertPollRefused(pollWith(Tokens.poll(Configs.PUBLISH_SECRET)), 403, "Invalid token");
  }

  // --- README, "Resume and server-sent events" ---------------------------------------------------

  /** A {@code format=seq} stream of the queue on the subscriber's node, resuming {@code since} when given. */
  private PollStream sequenced(String since) {
    String uri = TestNode.pollPath(queue()) + Tokens.pollQuery(subscriber().pollToken(queue())) + "&format=seq"
        + (since == null ? "" : "&since=" + Tokens.encode(since));
    PollStream stream = await(caughtUp(subscriber()).openPoll(uri));
    assertEquals(200, stream.status());
    return stream;
  }

  private static JsonObject line(PollStream stream, int index) {
    return new JsonObject(await(stream.line(index)));
  }

  private String epoch() {
    return info(subscriber()).getString("epoch");
  }

  private static void assertReset(PollStream stream, String epoch, long seq, int records) {
    JsonObject first = line(stream, 0);
    assertEquals(true, first.getBoolean("reset"), first::encode);
    assertEquals(epoch, first.getString("epoch"));
    assertEquals(seq, first.getLong("seq"));
    assertEquals(records, first.getJsonArray("snapshot").size());
  }

  @Test
  void sequencedStreamStartsWithEpochSeqAndSnapshotThenNumbersEveryBatch() {
    publishRecords(1, 2);
    PollStream stream = sequenced(null);
    JsonObject first = line(stream, 0);
    assertEquals(2, first.getLong("seq"));
    assertEquals(epoch(), first.getString("epoch"));
    assertEquals(new JsonArray(record(1)).addAll(new JsonArray(record(2))), first.getJsonArray("snapshot"));
    assertNull(first.getValue("reset"));
    publishRecords(3, 3);
    JsonObject next = line(stream, 1);
    assertEquals(3, next.getLong("seq"));
    assertEquals(new JsonArray(record(3)), next.getJsonArray("batch"));
  }

  @Test
  void plainPollIsUnchangedBySequencing() {
    publishRecords(1, 1);
    assertEquals(record(1), await(caughtUp(subscriber()).backlogLine(queue())));
  }

  @Test
  void resumeWithinTheRetainedWindowSendsExactlyTheMissedBatches() {
    publishRecords(1, 3);
    String epoch = epoch();
    publishRecords(4, 6);
    PollStream resumed = sequenced(epoch + ":3");
    assertEquals(new JsonObject().put("epoch", epoch).put("seq", 3).put("resumed", true), line(resumed, 0));
    for (int seq = 4; seq <= 6; seq++) {
      JsonObject batch = line(resumed, seq - 3);
      assertEquals(seq, batch.getLong("seq"));
      assertEquals(new JsonArray(record(seq)), batch.getJsonArray("batch"));
    }
    publishRecords(7, 7);
    assertEquals(7, line(resumed, 4).getLong("seq"), "the live stream follows the missed batches");
    assertEquals(5, resumed.lineCount());
  }

  @Test
  void resumeAtTheCurrentSeqSendsNothingMissed() {
    publishRecords(1, 2);
    PollStream resumed = sequenced(epoch() + ":2");
    assertEquals(true, line(resumed, 0).getBoolean("resumed"));
    publishRecords(3, 3);
    assertEquals(3, line(resumed, 1).getLong("seq"));
  }

  @Test
  void resumeOlderThanTheRetainedWindowResets() {
    publishRecords(1, 6);
    String epoch = epoch();
    assertReset(sequenced(epoch + ":2"), epoch, 6, 6);
    assertEquals(true, line(sequenced(epoch + ":3"), 0).getBoolean("resumed"),
        "3 is the oldest resumable with " + RETAIN_BATCHES + " batches retained");
  }

  @Test
  void resumeFromAnotherEpochResets() {
    publishRecords(1, 2);
    String epoch = epoch();
    assertReset(sequenced("not-" + epoch + ":1"), epoch, 2, 2);
  }

  @Test
  void resumeFromTheFutureResets() {
    publishRecords(1, 2);
    String epoch = epoch();
    assertReset(sequenced(epoch + ":3"), epoch, 2, 2);
  }

  @Test
  void malformedSinceOrUnknownFormatIsRefusedWith400() {
    String poll = TestNode.pollPath(queue()) + Tokens.pollQuery(subscriber().pollToken(queue()));
    assertEquals(400, await(subscriber().get(poll + "&format=seq&since=nocolon")).status());
    assertEquals(400, await(subscriber().get(poll + "&format=seq&since=e:-1")).status());
    assertEquals(400, await(subscriber().get(poll + "&format=xml")).status());
    assertEquals(400, await(subscriber().get(poll + "&since=e:1")).status(), "since needs format=seq");
  }

  private PollStream events(String since, String lastEventId) {
    String uri = "/queues/" + queue() + "/events" + Tokens.pollQuery(subscriber().pollToken(queue()))
        + (since == null ? "" : "&since=" + Tokens.encode(since));
    TestNode node = caughtUp(subscriber());
    PollStream stream = await(lastEventId == null ? node.openPoll(uri) : node.openPoll(uri, Map.of("Last-Event-ID", lastEventId)));
    assertEquals(200, stream.status());
    return stream;
  }

  /** The event whose {@code id:} line is at {@code index}: its id, its name and its data. */
  private static List<String> event(PollStream stream, int index) {
    List<String> event = new ArrayList<>();
    for (int i = index; i < index + 4; i++) {
      event.add(await(stream.line(i)));
    }
    assertEquals("", event.get(3), "an event ends with an empty line");
    assertTrue(event.get(0).startsWith("id: "), event::toString);
    assertTrue(event.get(1).startsWith("event: "), event::toString);
    assertTrue(event.get(2).startsWith("data: "), event::toString);
    return List.of(event.get(0).substring(4), event.get(1).substring(7), event.get(2).substring(6));
  }

  @Test
  void serverSentEventsFrameTheSnapshotAndEveryBatchWithTheirIds() {
    publishRecords(1, 1);
    String epoch = epoch();
    PollStream stream = events(null, null);
    assertTrue(stream.headers().get("Content-Type").startsWith("text/event-stream"), stream.headers()::toString);
    List<String> snapshot = event(stream, 0);
    assertEquals(List.of(epoch + ":1", "snapshot"), snapshot.subList(0, 2));
    assertEquals(new JsonArray(record(1)), new JsonObject(snapshot.get(2)).getJsonArray("snapshot"));
    publishRecords(2, 2);
    List<String> batch = event(stream, 4);
    assertEquals(List.of(epoch + ":2", "batch"), batch.subList(0, 2));
    assertEquals(new JsonObject().put("seq", 2).put("batch", new JsonArray(record(2))), new JsonObject(batch.get(2)));
  }

  @Test
  void lastEventIdResumesAServerSentEventStream() {
    publishRecords(1, 2);
    String epoch = epoch();
    publishRecords(3, 3);
    PollStream stream = events(epoch + ":0", epoch + ":2");
    List<String> resumed = event(stream, 0);
    assertEquals(List.of(epoch + ":2", "resumed"), resumed.subList(0, 2), "Last-Event-ID wins over since");
    assertEquals(new JsonObject().put("epoch", epoch).put("seq", 2).put("resumed", true), new JsonObject(resumed.get(2)));
    assertEquals(epoch + ":3", event(stream, 4).get(0));
  }

  @Test
  void sinceParameterResumesAServerSentEventStreamAndAStaleOneResets() {
    publishRecords(1, 2);
    String epoch = epoch();
    assertEquals("resumed", event(events(epoch + ":1", null), 0).get(1));
    List<String> reset = event(events("old:1", null), 0);
    assertEquals("snapshot", reset.get(1));
    assertEquals(true, new JsonObject(reset.get(2)).getBoolean("reset"));
  }

  /**
   * The retained log keeps one form of each batch and frames it again for a resuming client: the
   * client receives the very lines, and events, that the live streams carried.
   */
  @Test
  void resumedBatchesAreWhatTheLiveStreamsSentLineForLine() {
    PollStream liveSeq = sequenced(null);
    PollStream liveEvents = events(null, null);
    await(liveSeq.line(0));
    event(liveEvents, 0);
    String epoch = epoch();
    for (int n = 1; n <= RETAIN_BATCHES; n++) {
      publish("[{\"type\":\"update\",\"data\":{\"id\":\"é-" + n + "\",\"v\":1.10,\"big\":123456789012345678901234"
          + n + ",\"s\":\"\\u0000 \\\" ✓\"}},{\"type\":\"delete\",\"data\":{\"id\":\"gone\"}}]");
    }
    int lines = RETAIN_BATCHES;
    int eventLines = 4 * RETAIN_BATCHES;
    await(liveSeq.line(lines));
    await(liveEvents.line(4 + eventLines - 1));

    PollStream resumedSeq = sequenced(epoch + ":0");
    PollStream resumedEvents = events(epoch + ":0", null);
    await(resumedSeq.line(lines));
    await(resumedEvents.line(4 + eventLines - 1));

    assertEquals(liveSeq.lines().subList(1, 1 + lines), resumedSeq.lines().subList(1, 1 + lines));
    assertEquals(liveEvents.lines().subList(4, 4 + eventLines), resumedEvents.lines().subList(4, 4 + eventLines));
    assertEquals("resumed", event(resumedEvents, 0).get(1));
  }

  @Test
  void serverSentEventStreamsGetKeepAliveComments() {
    PollStream stream = events(null, null);
    int index = await(stream.indexOf(4, line -> line.startsWith(":")));
    assertEquals(": keep-alive", stream.lineAt(index));
  }

  // --- PROTOCOL.md, "Records, updates, batches": keys and values survive exactly -------------------

  @Test
  void integerKeysOfAnySizeArePreserved() {
    PollStream poll = subscribe();
    String[] keys = {
        "0", "-1", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890123456789012345678901234567890",
    };
    StringBuilder batch = new StringBuilder("[");
    for (String key : keys) {
      batch.append(batch.length() > 1 ? "," : "").append("{\"type\":\"update\",\"data\":{\"id\":").append(key).append("}}");
    }
    batch.append("]");

    publish(batch.toString());

    String line = await(poll.line(1));
    assertJsonEquals(batch.toString(), line);
    String backlog = await(caughtUp(subscriber()).backlogLine(queue()));
    assertJsonEquals(batch.toString(), backlog);
    JsonNode parsed = TestJson.parse(backlog);
    for (int i = 0; i < keys.length; i++) {
      JsonNode id = parsed.get(i).get("data").get("id");
      assertTrue(id.isIntegralNumber(), () -> "an integer key came back as " + id);
      assertEquals(new BigInteger(keys[i]), id.bigIntegerValue());
      assertTrue(line.contains(keys[i]), "the digits are sent as is: " + keys[i]);
    }
  }

  @Test
  void recordValuesArePreservedExactly() {
    PollStream poll = subscribe();
    String record = """
        {"id":"r\u00e9sum\u00e9 \u2603 \ud83d\ude00","int":10,"neg":-0,"big":340282366920938463463374607431768211456,
         "dec":1.10,"exp":2.5e-3,"s":"line\\nbreak \\"quoted\\" \\\\ back\\\\slash \\u0000 tab\\t","empty":"",
         "nothing":null,"yes":true,"no":false,"list":[1,"1",1.5,[],{},[[{"deep":[null]}]]],
         "nested":{"a":{"b":{"c":[{"d":12345678901234567890123}]}}}}""";
    String batch = "[{\"type\":\"update\",\"data\":" + record + "}]";

    publish(batch);

    assertJsonEquals(batch, await(poll.line(1)));
    assertJsonEquals(batch, await(caughtUp(subscriber()).backlogLine(queue())));
    JsonNode sent = TestJson.parse(await(poll.line(1))).get(0).get("data");
    assertTrue(sent.get("int").isIntegralNumber(), () -> "10 must stay an integer, got " + sent.get("int"));
    assertEquals("1.10", sent.get("dec").decimalValue().toPlainString());
  }

  @Test
  void integerKeyAndStringKeyWithTheSameDigitsAreDistinctRecords() {
    publish("""
        [{"type":"update","data":{"id":1,"kind":"integer"}},
         {"type":"update","data":{"id":"1","kind":"string"}}]""");

    assertJsonEquals("""
        [{"type":"update","data":{"id":1,"kind":"integer"}},
         {"type":"update","data":{"id":"1","kind":"string"}}]""", await(caughtUp(subscriber()).backlogLine(queue())));
    assertEquals(2, info(subscriber()).getInteger("records"));

    publish("[{\"type\":\"delete\",\"data\":{\"id\":1}}]");

    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"string\"}}]",
        await(caughtUp(subscriber()).backlogLine(queue())));
    publish("[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"replaced\"}}]");
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"replaced\"}}]",
        await(caughtUp(subscriber()).backlogLine(queue())));
  }

  @Test
  void anIntegerKeyIsOneKeyHoweverManyDigitsItNeeds() {
    publish("[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":1}}]");
    publish("[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":2}},"
        + "{\"type\":\"update\",\"data\":{\"id\":7,\"v\":1}}]");
    publish("[{\"type\":\"update\",\"data\":{\"id\":7,\"v\":2}}]");

    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":2}},"
        + "{\"type\":\"update\",\"data\":{\"id\":7,\"v\":2}}]", await(caughtUp(subscriber()).backlogLine(queue())));
  }

  // --- PROTOCOL.md, "GET /poll", under concurrent publishers -------------------------------------

  private static final int PUBLISHERS = 4;
  private static final int BATCHES_EACH = 50;
  private static final int TOTAL = PUBLISHERS * BATCHES_EACH;
  private static final int LATE_SUBSCRIBERS = 30;
  private static final String END = "[{\"type\":\"update\",\"data\":{\"id\":\"__end__\"}}]";

  /** What the concurrent phase leaves behind: every stream, and when each late subscriber asked to join. */
  private record Run(PollStream first, List<PollStream> late, List<Integer> joinedAfter) {}

  /**
   * A new subscriber gets the backlog and then every later batch exactly once, in the order
   * applied, even while several connections publish concurrently.
   *
   * <p>Each publisher posts its batches one after another, numbering them; subscribers join at
   * random moments during publishing. The first subscriber joins before anything is published, so
   * its stream is the applied order itself; every other stream must be its backlog followed by a
   * suffix of that order, the backlog being exactly the state before that suffix.
   */
  @Test
  void everySubscriberGetsTheBacklogThenEveryLaterBatchExactlyOnceInTheAppliedOrder() {
    long seed = System.nanoTime();
    String context = "random seed " + seed;
    Random random = new Random(seed);
    String[][] batches = new String[PUBLISHERS][BATCHES_EACH];
    for (int p = 0; p < PUBLISHERS; p++) {
      for (int n = 0; n < BATCHES_EACH; n++) {
        batches[p][n] = randomBatch(random, p, n + 1);
      }
    }
    List<Integer> joinPoints = new ArrayList<>();
    for (int i = 0; i < LATE_SUBSCRIBERS; i++) {
      joinPoints.add(random.nextInt(TOTAL));
    }
    joinPoints.sort(null);

    Run run = await(runConcurrently(batches, joinPoints), Duration.ofSeconds(60));

    String finalBacklog = await(subscriber().backlogLine(queue()));
    List<String> applied = run.first.lines().subList(1, run.first.lineCount());
    assertEquals("[]", run.first.lineAt(0).replace(" ", ""), context);
    assertEquals(TOTAL + 1, applied.size(), () -> context + ": the first subscriber must see every batch once");
    assertEquals(END, applied.get(TOTAL).replace(" ", ""), context);
    assertCountersInOrder(applied, true, context);
    assertEquals(TestJson.parse(finalBacklog), ClientState.rebuild(PK, run.first.lines()).asSnapshot(), context);

    Set<Integer> distinctJoins = new HashSet<>();
    for (int i = 0; i < run.late.size(); i++) {
      PollStream stream = run.late.get(i);
      String who = context + ", subscriber " + i + " (asked to join after " + run.joinedAfter.get(i) + " acks)";
      List<String> lines = stream.lines();
      List<String> after = lines.subList(1, lines.size());
      int joinedAt = applied.size() - after.size();
      assertTrue(joinedAt >= 0, () -> who + ": more lines than were published");
      assertEquals(applied.subList(joinedAt, applied.size()), after,
          () -> who + ": its lines after the backlog must be exactly the applied batches from #" + joinedAt);
      ClientState before = ClientState.rebuild(PK, run.first.lines().subList(0, joinedAt + 1));
      assertEquals(before.asSnapshot(), TestJson.parse(lines.get(0)),
          () -> who + ": its backlog must be the state just before the first batch it received");
      assertCountersInOrder(after, false, who);
      assertEquals(TestJson.parse(finalBacklog), ClientState.rebuild(PK, lines).asSnapshot(),
          () -> who + ": rebuilt state differs from the final backlog");
      distinctJoins.add(joinedAt);
    }
    assertTrue(distinctJoins.size() >= 5,
        () -> context + ": subscribers should have joined at many points of the stream, joined at " + distinctJoins);
  }

  /**
   * Publishers and joins, all driven from one Vert.x context: each publisher posts its next batch
   * when the previous one is acknowledged; a late subscriber asks to join when the count of
   * acknowledged batches reaches its join point. Ends once every stream has the end marker.
   */
  private Future<Run> runConcurrently(String[][] batches, List<Integer> joinPoints) {
    TestNode publisher = publisher();
    TestNode subscriber = subscriber();
    String queue = queue();
    Context context = vertx.getOrCreateContext();
    Promise<Run> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<PollStream>> joins = new ArrayList<>();
      List<Integer> joinedAfter = new ArrayList<>();
      int[] acked = {0};
      Runnable joinDue = () -> {
        while (joins.size() < joinPoints.size() && joinPoints.get(joins.size()) <= acked[0]) {
          joinedAfter.add(acked[0]);
          joins.add(subscriber.pollOk(queue).compose(stream -> stream.line(0).map(stream)));
        }
      };
      subscriber.pollOk(queue).compose(first -> first.line(0).map(first)).compose(first -> {
        joinDue.run();
        List<Future<Void>> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          publishers.add(publishInTurn(publisher, queue, batches[p], 0, () -> {
            acked[0]++;
            joinDue.run();
          }));
        }
        return Future.all(publishers)
            .compose(all -> Future.all(joins))
            .compose(all -> publisher.publishOk(queue, END))
            .compose(published -> {
              List<PollStream> late = joins.stream().map(Future::result).toList();
              List<Future<Integer>> ends = new ArrayList<>();
              ends.add(first.indexOf(1, END::equals));
              late.forEach(stream -> ends.add(stream.indexOf(1, END::equals)));
              return Future.all(ends).map(all -> new Run(first, late, joinedAfter));
            });
      }).onComplete(done);
    });
    return done.future();
  }

  private static Future<Void> publishInTurn(TestNode node, String queue, String[] batches, int next, Runnable acked) {
    if (next == batches.length) {
      return Future.succeededFuture();
    }
    return node.publishOk(queue, batches[next]).compose(v -> {
      acked.run();
      return publishInTurn(node, queue, batches, next + 1, acked);
    });
  }

  /** One to three updates or deletes of random keys (integers and strings), each carrying (pub, n). */
  private static String randomBatch(Random random, int publisher, int counter) {
    StringBuilder batch = new StringBuilder("[");
    int size = 1 + random.nextInt(3);
    for (int i = 0; i < size; i++) {
      String key = random.nextBoolean() ? Integer.toString(random.nextInt(12)) : "\"k" + random.nextInt(6) + "\"";
      boolean delete = random.nextInt(5) == 0;
      batch.append(i == 0 ? "" : ",")
          .append("{\"type\":\"").append(delete ? "delete" : "update").append("\",\"data\":{\"id\":").append(key)
          .append(",\"pub\":").append(publisher).append(",\"n\":").append(counter);
      if (!delete) {
        batch.append(",\"v\":").append(random.nextInt(1000));
      }
      batch.append("}}");
    }
    return batch.append("]").toString();
  }

  /**
   * Every publisher's counter goes strictly up, one by one, in {@code lines} (no batch twice, none
   * lost in between); from 1 when {@code fromStart}.
   */
  private static void assertCountersInOrder(List<String> lines, boolean fromStart, String who) {
    Map<Integer, Integer> last = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode batch = TestJson.parse(lines.get(i));
      Integer publisher = null;
      Integer counter = null;
      for (JsonNode update : batch) {
        JsonNode data = update.get("data");
        if (data.has("pub")) {
          publisher = data.get("pub").intValue();
          counter = data.get("n").intValue();
        }
      }
      if (publisher == null) {
        continue;
      }
      Integer previous = last.get(publisher);
      int expected = previous != null ? previous + 1 : fromStart ? 1 : counter;
      final int line = i;
      final int pub = publisher;
      final int got = counter;
      assertEquals(expected, got, () -> who + ": line " + (line + 1) + " has publisher " + pub + "'s batch " + got
          + " after its batch " + previous);
      last.put(publisher, counter);
    }
    if (fromStart) {
      for (int p = 0; p < PUBLISHERS; p++) {
        assertEquals(BATCHES_EACH, last.get(p), who + ": publisher " + p + "'s batches");
      }
    }
  }
}
