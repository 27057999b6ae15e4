package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * The point 4, {@code "type": "expiring"}: a record not refreshed within {@code ttlSeconds}
 * is deleted by the server, and the deletion is published like any other batch.
 */
class ExpiringQueueTest extends IntegrationTest {
  private static final String Q = "presence";
  private static final long TTL_MILLIS = 1000;

  @Test
  void expiredRecordIsDeletedAndPublishedWhileARefreshedOneOutlivesTheFirstDeadline() {
    TestNode node = start(Configs.node(new JsonObject()
        .put(Q, Configs.keyed("login").put("type", "expiring").put("ttlSeconds", TTL_MILLIS / 1000))));
    PollStream poll = await(node.pollOk(Q));
    assertJsonEquals("[]", await(poll.line(0)));
    String both = "[{\"type\":\"update\",\"data\":{\"login\":\"ada\",\"at\":1}},"
        + "{\"type\":\"update\",\"data\":{\"login\":\"bob\",\"at\":1}}]";
    String refresh = "[{\"type\":\"update\",\"data\":{\"login\":\"bob\",\"at\":2}}]";

    long created = System.nanoTime();
    await(node.publishOk(Q, both));
    // The refresh is scheduled half a ttl later: that is the point of the test, not a wait for anything.
    await(vertx.timer(TTL_MILLIS / 2).compose(v -> node.publishOk(Q, refresh)));
    long refreshed = System.nanoTime();

    assertJsonEquals(both, await(poll.line(1)));
    assertJsonEquals(refresh, await(poll.line(2)));
    assertJsonEquals("[{\"type\":\"delete\",\"data\":{\"login\":\"ada\"}}]", await(poll.line(3)));
    assertTrue(millis(poll.arrivalNanos(3) - created) >= TTL_MILLIS,
        () -> "ada expired after " + millis(poll.arrivalNanos(3) - created) + " ms, before its ttl");
    assertJsonEquals("[{\"type\":\"delete\",\"data\":{\"login\":\"bob\"}}]", await(poll.line(4)));
    assertTrue(millis(poll.arrivalNanos(4) - refreshed) >= TTL_MILLIS,
        () -> "bob expired " + millis(poll.arrivalNanos(4) - refreshed) + " ms after its refresh, before its ttl");
    assertJsonEquals("[]", await(node.backlogLine(Q)));
  }

  @Test
  void recordDeletedByAPublisherIsNotDeletedAgainWhenItsTimeRunsOut() {
    TestNode node = start(Configs.node(new JsonObject()
        .put(Q, Configs.keyed("login").put("type", "expiring").put("ttlSeconds", TTL_MILLIS / 1000))));
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));

    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]"));
    await(node.publishOk(Q, "[{\"type\":\"delete\",\"data\":{\"login\":\"ada\"}}]"));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"login\":\"eve\"}}]"));

    // eve expires about when ada would have: her deletion must be the only one.
    assertJsonEquals("[{\"type\":\"delete\",\"data\":{\"login\":\"eve\"}}]", await(poll.line(4)));
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
