package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/** Sequenced streams, resume ({@code since=E:S}) and server-sent events. */
class ResumeAndSseTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  private TestNode node(int retainBatches) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("queues").getJsonObject(Q).put("retain", new JsonObject().put("batches", retainBatches));
    config.put("sse", new JsonObject().put("keepAliveSeconds", 1));
    return start(config);
  }

  private static String record(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  private void publish(TestNode node, int from, int to) {
    for (int id = from; id <= to; id++) {
      await(node.publishOk(Q, record(id)));
    }
  }

  private PollStream seq(TestNode node, String since) {
    String uri = TestNode.pollPath(Q) + Tokens.pollQuery(Tokens.poll(node.subscribeSecret(Q))) + "&format=seq"
        + (since == null ? "" : "&since=" + Tokens.encode(since));
    PollStream stream = await(node.openPoll(uri));
    assertEquals(200, stream.status());
    return stream;
  }

  private static JsonObject line(PollStream stream, int index) {
    return new JsonObject(await(stream.line(index)));
  }

  @Test
  void sequencedStreamStartsWithEpochSeqAndSnapshotThenNumbersEveryBatch() {
    TestNode node = node(100);
    publish(node, 1, 2);
    PollStream stream = seq(node, null);
    JsonObject first = line(stream, 0);
    assertEquals(2, first.getLong("seq"));
    assertEquals(await(node.infoOk(Q)).getString("epoch"), first.getString("epoch"));
    assertEquals(2, first.getJsonArray("snapshot").size());
    assertEquals(null, first.getValue("reset"));
    publish(node, 3, 3);
    JsonObject next = line(stream, 1);
    assertEquals(3, next.getLong("seq"));
    assertEquals(new JsonArray(record(3)), next.getJsonArray("batch"));
  }

  @Test
  void plainPollIsUnchangedBySequencing() {
    TestNode node = node(100);
    publish(node, 1, 1);
    assertEquals(record(1).replace("]", "") + "]", await(node.backlogLine(Q)));
  }

  @Test
  void resumeWithinTheRetainedWindowSendsExactlyTheMissedBatches() {
    TestNode node = node(100);
    publish(node, 1, 3);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    publish(node, 4, 6);
    PollStream resumed = seq(node, epoch + ":3");
    assertEquals(new JsonObject().put("epoch", epoch).put("seq", 3).put("resumed", true), line(resumed, 0));
    for (int seq = 4; seq <= 6; seq++) {
      JsonObject batch = line(resumed, seq - 3);
      assertEquals(seq, batch.getLong("seq"));
      assertEquals(new JsonArray(record(seq)), batch.getJsonArray("batch"));
    }
    publish(node, 7, 7);
    assertEquals(7, line(resumed, 4).getLong("seq"), "the live stream follows the missed batches");
    assertEquals(5, resumed.lineCount());
  }

  @Test
  void resumeAtTheCurrentSeqSendsNothingMissed() {
    TestNode node = node(100);
    publish(node, 1, 2);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    PollStream resumed = seq(node, epoch + ":2");
    assertEquals(true, line(resumed, 0).getBoolean("resumed"));
    publish(node, 3, 3);
    assertEquals(3, line(resumed, 1).getLong("seq"));
  }

  @Test
  void resumeOlderThanTheRetainedWindowResets() {
    TestNode node = node(2);
    publish(node, 1, 5);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    assertReset(seq(node, epoch + ":2"), epoch, 5, 5);
    assertEquals(true, line(seq(node, epoch + ":3"), 0).getBoolean("resumed"), "3 is the oldest resumable");
  }

  @Test
  void resumeFromAnotherEpochResets() {
    TestNode node = node(100);
    publish(node, 1, 2);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    assertReset(seq(node, "not-" + epoch + ":1"), epoch, 2, 2);
  }

  @Test
  void resumeFromTheFutureResets() {
    TestNode node = node(100);
    publish(node, 1, 2);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    assertReset(seq(node, epoch + ":3"), epoch, 2, 2);
  }

  @Test
  void malformedSinceOrUnknownFormatIsRefused() {
    TestNode node = node(100);
    String query = Tokens.pollQuery(Tokens.poll(node.subscribeSecret(Q)));
    assertEquals(400, await(node.get(TestNode.pollPath(Q) + query + "&format=seq&since=nocolon")).status());
    assertEquals(400, await(node.get(TestNode.pollPath(Q) + query + "&format=seq&since=e:-1")).status());
    assertEquals(400, await(node.get(TestNode.pollPath(Q) + query + "&format=xml")).status());
    assertEquals(400, await(node.get(TestNode.pollPath(Q) + query + "&since=e:1")).status(), "since needs format=seq");
  }

  private static void assertReset(PollStream stream, String epoch, long seq, int records) {
    JsonObject first = line(stream, 0);
    assertEquals(true, first.getBoolean("reset"), first.encode());
    assertEquals(epoch, first.getString("epoch"));
    assertEquals(seq, first.getLong("seq"));
    assertEquals(records, first.getJsonArray("snapshot").size());
  }

  private PollStream events(TestNode node, String since, String lastEventId) {
    String uri = "/events" + Tokens.pollQuery(Tokens.poll(node.subscribeSecret(Q)))
        + (since == null ? "" : "&since=" + Tokens.encode(since));
    PollStream stream = lastEventId == null ? await(node.openPoll(uri))
        : await(node.openPoll(uri, Map.of("Last-Event-ID", lastEventId)));
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
    assertTrue(event.get(0).startsWith("id: "), event.toString());
    assertTrue(event.get(1).startsWith("event: "), event.toString());
    assertTrue(event.get(2).startsWith("data: "), event.toString());
    return List.of(event.get(0).substring(4), event.get(1).substring(7), event.get(2).substring(6));
  }

  @Test
  void serverSentEventsFrameTheSnapshotAndEveryBatchWithTheirIds() {
    TestNode node = node(100);
    publish(node, 1, 1);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    PollStream stream = events(node, null, null);
    assertTrue(stream.headers().get("Content-Type").startsWith("text/event-stream"));
    List<String> snapshot = event(stream, 0);
    assertEquals(List.of(epoch + ":1", "snapshot"), snapshot.subList(0, 2));
    assertEquals(1, new JsonObject(snapshot.get(2)).getJsonArray("snapshot").size());
    publish(node, 2, 2);
    List<String> batch = event(stream, 4);
    assertEquals(List.of(epoch + ":2", "batch"), batch.subList(0, 2));
    assertEquals(new JsonObject().put("seq", 2).put("batch", new JsonArray(record(2))), new JsonObject(batch.get(2)));
  }

  @Test
  void lastEventIdResumesAServerSentEventStream() {
    TestNode node = node(100);
    publish(node, 1, 2);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    publish(node, 3, 3);
    PollStream stream = events(node, epoch + ":0", epoch + ":2");
    List<String> resumed = event(stream, 0);
    assertEquals(List.of(epoch + ":2", "resumed"), resumed.subList(0, 2), "Last-Event-ID wins over since");
    assertEquals(new JsonObject().put("epoch", epoch).put("seq", 2).put("resumed", true), new JsonObject(resumed.get(2)));
    assertEquals(epoch + ":3", event(stream, 4).get(0));
  }

  @Test
  void sinceParameterResumesAServerSentEventStreamAndAStaleOneResets() {
    TestNode node = node(100);
    publish(node, 1, 2);
    String epoch = await(node.infoOk(Q)).getString("epoch");
    assertEquals("resumed", event(events(node, epoch + ":1", null), 0).get(1));
    List<String> reset = event(events(node, "old:1", null), 0);
    assertEquals("snapshot", reset.get(1));
    assertEquals(true, new JsonObject(reset.get(2)).getBoolean("reset"));
  }

  @Test
  void serverSentEventStreamsGetKeepAliveComments() {
    TestNode node = node(100);
    PollStream stream = events(node, null, null);
    int index = await(stream.indexOf(4, line -> line.startsWith(":")));
    assertEquals(": keep-alive", stream.lineAt(index));
  }

  /**
   * A reconnect storm: 1,000 subscribers lose their streams at once, batches are published while
   * they are away, and they all come back at once resuming with {@code since}: each must end with
   * the same state as a fresh poller.
   */
  @Test
  void thousandSubscribersResumingAfterAnOutageAllEndWithTheFreshState() throws InvalidBatchException {
    int clients = 1000;
    TestNode node = node(1000);
    publish(node, 1, 5);
    HttpClientAgent http = closeAfter(new AutoCloseableClient(node.vertx().createHttpClient(
        new HttpClientOptions().setDefaultHost(TestNode.HOST).setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(clients + 10)))).client;

    List<Future<Storm>> before = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      before.add(Storm.open(http, node, null, 1));
    }
    List<Storm> firstStreams = await(Future.all(before), Duration.ofSeconds(60)).list();
    String epoch = firstStreams.get(0).epoch;
    long seenSeq = firstStreams.get(0).seq;
    await(Future.all(firstStreams.stream().map(Storm::close).toList()));

    publish(node, 6, 25);
    publish(node, 3, 3);

    List<Future<Storm>> after = new ArrayList<>();
    for (Storm storm : firstStreams) {
      after.add(Storm.open(http, node, epoch + ":" + seenSeq, 1 + 21, storm.state));
    }
    List<Storm> resumed = await(Future.all(after), Duration.ofSeconds(60)).list();
    String fresh = await(node.backlogLine(Q));
    Backlog expected = new Backlog();
    expected.apply(Batches.parse(fresh, "id"));
    for (Storm storm : resumed) {
      assertTrue(storm.wasResumed, "every client resumed instead of downloading the backlog again");
      assertEquals(expected.view(), storm.state.view());
    }
    await(Future.all(resumed.stream().map(Storm::close).toList()));
  }

  private record AutoCloseableClient(HttpClientAgent client) implements AutoCloseable {
    @Override
    public void close() {
      Await.await(client.close());
    }
  }

  /** One client of the storm: reads {@code lines} sequenced lines, applying them to its state. */
  private static final class Storm {
    final Backlog state;
    String epoch;
    long seq;
    boolean wasResumed;
    HttpClientResponse response;

    private Storm(Backlog state) {
      this.state = state;
    }

    static Future<Storm> open(HttpClientAgent http, TestNode node, String since, int lines) {
      return open(http, node, since, lines, new Backlog());
    }

    static Future<Storm> open(HttpClientAgent http, TestNode node, String since, int lines, Backlog state) {
      Storm storm = new Storm(state);
      Promise<Storm> done = Promise.promise();
      String uri = TestNode.pollPath(Q) + Tokens.pollQuery(Tokens.poll(node.subscribeSecret(Q))) + "&format=seq"
          + (since == null ? "" : "&since=" + Tokens.encode(since));
      // Sent from an event loop, so that the response's handlers are set on the thread that
      // delivers its body, before any of it arrives (from the test thread they could be late).
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri);
      node.vertx().getOrCreateContext().runOnContext(v -> http.request(request)
          .compose(sent -> sent.send())
          .onSuccess(response -> {
            storm.response = response;
            int[] count = {0};
            RecordParser.newDelimited("\n", response).handler(line -> {
              storm.read(new JsonObject(line.toString()));
              if (++count[0] == lines) {
                done.tryComplete(storm);
              }
            }).exceptionHandler(done::tryFail);
          })
          .onFailure(done::tryFail));
      return done.future();
    }

    private void read(JsonObject line) {
      try {
        if (line.containsKey("snapshot")) {
          state.apply(Batches.parse(line.getJsonArray("snapshot").encode(), "id"));
        } else if (line.containsKey("resumed")) {
          wasResumed = true;
        } else {
          state.apply(Batches.parse(line.getJsonArray("batch").encode(), "id"));
        }
        if (line.containsKey("epoch")) {
          epoch = line.getString("epoch");
        }
        seq = line.getLong("seq");
      } catch (InvalidBatchException e) {
        throw new AssertionError(e);
      }
    }

    Future<Void> close() {
      return response.request().connection().close();
    }
  }
}
