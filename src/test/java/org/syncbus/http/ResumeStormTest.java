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
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * README, "Resume and server-sent events", under load: subscribers that all lose their streams at
 * once and all come back resuming with {@code since=E:S} each end with the state of a fresh
 * poller. The rules of resuming one stream are {@link ProtocolRules}'.
 */
class ResumeStormTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  private TestNode node(int retainBatches) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("queues").getJsonObject(Q).put("retain", new JsonObject().put("batches", retainBatches));
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
