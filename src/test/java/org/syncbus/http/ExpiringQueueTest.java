package org.syncbus.http;

import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * README, "Queue types", {@code "type": "expiring"}: a record not refreshed within
 * {@code ttlSeconds} is deleted by the server, and the deletion is published like any other batch.
 * Time is a {@link FakeClock} the test moves; the owner's periodic check (a tenth of the ttl) then
 * notices the deadline within moments.
 */
class ExpiringQueueTest extends IntegrationTest {
  private static final String Q = "presence";
  private static final Duration TTL = Duration.ofSeconds(1);
  private static final Duration HALF_TTL = TTL.dividedBy(2);
  private static final String ADA_GONE = "[{\"type\":\"delete\",\"data\":{\"login\":\"ada\"}}]";

  private final FakeClock clock = FakeClock.atSystemTime();

  private TestNode startExpiring() {
    return start(Configs.node(new JsonObject()
        .put(Q, Configs.keyed("login").put("type", "expiring").put("ttlSeconds", TTL.toSeconds()))), clock);
  }

  @Test
  void expiredRecordIsDeletedAndPublishedWhileARefreshedOneOutlivesTheFirstDeadline() {
    TestNode node = startExpiring();
    PollStream poll = await(node.pollOk(Q));
    assertJsonEquals("[]", await(poll.line(0)));
    String both = "[{\"type\":\"update\",\"data\":{\"login\":\"ada\",\"at\":1}},"
        + "{\"type\":\"update\",\"data\":{\"login\":\"bob\",\"at\":1}}]";
    String refresh = "[{\"type\":\"update\",\"data\":{\"login\":\"bob\",\"at\":2}}]";

    await(node.publishOk(Q, both));
    clock.advance(HALF_TTL);
    await(node.publishOk(Q, refresh));
    assertJsonEquals(both, await(poll.line(1)));
    assertJsonEquals(refresh, await(poll.line(2)));

    clock.advance(HALF_TTL.plusMillis(1));
    assertJsonEquals(ADA_GONE, await(poll.line(3)));
    // bob was refreshed half a ttl later: he outlives ada's deadline.
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"login\":\"bob\",\"at\":2}}]", await(node.backlogLine(Q)));

    clock.advance(HALF_TTL);
    assertJsonEquals("[{\"type\":\"delete\",\"data\":{\"login\":\"bob\"}}]", await(poll.line(4)));
    assertJsonEquals("[]", await(node.backlogLine(Q)));
  }

  @Test
  void recordNotYetAtItsDeadlineIsKept() {
    TestNode node = startExpiring();
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]"));
    clock.advance(TTL.minusMillis(1));
    PollStream poll = await(node.pollOk(Q));
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]", await(poll.line(0)));

    clock.advance(Duration.ofMillis(2));
    assertJsonEquals(ADA_GONE, await(poll.line(1)));
  }

  @Test
  void recordDeletedByAPublisherIsNotDeletedAgainWhenItsTimeRunsOut() {
    TestNode node = startExpiring();
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));

    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]"));
    await(node.publishOk(Q, "[{\"type\":\"delete\",\"data\":{\"login\":\"ada\"}}]"));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"login\":\"eve\"}}]"));
    clock.advance(TTL.plusMillis(1));

    // eve expires when ada would have: her deletion must be the only one.
    assertJsonEquals("[{\"type\":\"delete\",\"data\":{\"login\":\"eve\"}}]", await(poll.line(4)));
  }
}
