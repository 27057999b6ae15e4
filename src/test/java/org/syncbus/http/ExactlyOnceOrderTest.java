package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Await;
import org.syncbus.testing.ClientState;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestJson;
import org.syncbus.testing.TestNode;

/**
 * PROTOCOL.md, "GET /poll", under load (the issue's point 5): a new subscriber gets the backlog and
 * then every later batch exactly once, in the order applied, even while several connections
 * publish concurrently.
 *
 * <p>Each publisher posts its batches one after another, numbering them; subscribers join at random
 * moments during publishing. The first subscriber joins before anything is published, so its
 * stream is the applied order itself; every other stream must be its backlog followed by a suffix
 * of that order, the backlog being exactly the state before that suffix.
 */
class ExactlyOnceOrderTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final int PUBLISHERS = 4;
  private static final int BATCHES_EACH = 50;
  private static final int TOTAL = PUBLISHERS * BATCHES_EACH;
  private static final int LATE_SUBSCRIBERS = 30;
  private static final String END = "[{\"type\":\"update\",\"data\":{\"id\":\"__end__\"}}]";

  /** What the concurrent phase leaves behind: every stream, and when each late subscriber asked to join. */
  private record Run(PollStream first, List<PollStream> late, List<Integer> joinedAfter) {}

  @Test
  void everySubscriberGetsTheBacklogThenEveryLaterBatchExactlyOnceInTheAppliedOrder() {
    long seed = System.nanoTime();
    String context = "random seed " + seed;
    Random random = new Random(seed);
    String[][] batches = new String[PUBLISHERS][BATCHES_EACH];
    for (int p = 0; p < PUBLISHERS; p++) {
      for (int n = 0; n < BATCHES_EACH; n++) {
        batches[p][n] = batch(random, p, n + 1);
      }
    }
    List<Integer> joinPoints = new ArrayList<>();
    for (int i = 0; i < LATE_SUBSCRIBERS; i++) {
      joinPoints.add(random.nextInt(TOTAL));
    }
    joinPoints.sort(null);
    TestNode node = start(Configs.defaultNode());

    Run run = Await.await(runConcurrently(node, batches, joinPoints), Duration.ofSeconds(60));

    String finalBacklog = await(node.backlogLine(Q));
    List<String> applied = run.first.lines().subList(1, run.first.lineCount());
    assertEquals("[]", run.first.lineAt(0).replace(" ", ""), context);
    assertEquals(TOTAL + 1, applied.size(), () -> context + ": the first subscriber must see every batch once");
    assertEquals(END, applied.get(TOTAL).replace(" ", ""), context);
    assertCountersInOrder(applied, true, context);
    assertEquals(TestJson.parse(finalBacklog), ClientState.rebuild("id", run.first.lines()).asSnapshot(), context);

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
      ClientState before = ClientState.rebuild("id", run.first.lines().subList(0, joinedAt + 1));
      assertEquals(before.asSnapshot(), TestJson.parse(lines.get(0)),
          () -> who + ": its backlog must be the state just before the first batch it received");
      assertCountersInOrder(after, false, who);
      assertEquals(TestJson.parse(finalBacklog), ClientState.rebuild("id", lines).asSnapshot(),
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
  private Future<Run> runConcurrently(TestNode node, String[][] batches, List<Integer> joinPoints) {
    Context context = vertx.getOrCreateContext();
    Promise<Run> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<PollStream>> joins = new ArrayList<>();
      List<Integer> joinedAfter = new ArrayList<>();
      int[] acked = {0};
      Runnable joinDue = () -> {
        while (joins.size() < joinPoints.size() && joinPoints.get(joins.size()) <= acked[0]) {
          joinedAfter.add(acked[0]);
          joins.add(node.pollOk(Q).compose(stream -> stream.line(0).map(stream)));
        }
      };
      node.pollOk(Q).compose(first -> first.line(0).map(first)).compose(first -> {
        joinDue.run();
        List<Future<Void>> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          publishers.add(publish(node, batches[p], 0, () -> {
            acked[0]++;
            joinDue.run();
          }));
        }
        return Future.all(publishers)
            .compose(all -> Future.all(joins))
            .compose(all -> node.publishOk(Q, END))
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

  private static Future<Void> publish(TestNode node, String[] batches, int next, Runnable acked) {
    if (next == batches.length) {
      return Future.succeededFuture();
    }
    return node.publishOk(Q, batches[next]).compose(v -> {
      acked.run();
      return publish(node, batches, next + 1, acked);
    });
  }

  /** One to three updates or deletes of random keys (integers and strings), each carrying (pub, n). */
  private static String batch(Random random, int publisher, int counter) {
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
