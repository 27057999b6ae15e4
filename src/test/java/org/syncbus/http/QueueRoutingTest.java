package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/** DESIGN.md, "Configuration": {@code default} at /poll and /update, every queue under /queues/Q/. */
class QueueRoutingTest extends IntegrationTest {
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1}}]";
  private static final String USERS = "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}}]";

  private static JsonObject twoQueues() {
    return Configs.node(new JsonObject()
        .put("default", Configs.keyed("id"))
        .put("users", Configs.keyed("login")));
  }

  @Test
  void unknownQueueIs404OnPollUpdateAndInfo() {
    TestNode node = start(twoQueues());
    String pollToken = Tokens.poll(Configs.SUBSCRIBE_SECRET);

    PollStream poll = await(node.openPoll("/queues/nope/poll" + Tokens.pollQuery(pollToken)));
    assertEquals(404, poll.status());
    await(poll.refusalBody());
    HttpReply update = await(node.postUpdate("/queues/nope/update", BATCH, Tokens.update(Configs.PUBLISH_SECRET, BATCH)));
    assertEquals(404, update.status(), update::toString);
    HttpReply info = await(node.get("/queues/nope/info" + Tokens.pollQuery(pollToken)));
    assertEquals(404, info.status(), info::toString);
  }

  @Test
  void pollAndUpdateWithoutPrefixServeTheQueueNamedDefault() {
    TestNode node = start(twoQueues());
    PollStream viaQueues = await(node.openPoll("/queues/default/poll" + Tokens.pollQuery(node.pollToken("default"))));
    PollStream viaPoll = await(node.openPoll("/poll" + Tokens.pollQuery(node.pollToken("default"))));
    await(viaQueues.line(0));
    await(viaPoll.line(0));

    HttpReply reply = await(node.postUpdate("/update", BATCH, Tokens.update(Configs.PUBLISH_SECRET, BATCH)));

    assertEquals(200, reply.status());
    assertJsonEquals(BATCH, await(viaPoll.line(1)));
    assertJsonEquals(BATCH, await(viaQueues.line(1)));
    String second = "[{\"type\":\"update\",\"data\":{\"id\":2}}]";
    assertEquals(200, await(node.postUpdate("/queues/default/update", second,
        Tokens.update(Configs.PUBLISH_SECRET, second))).status());
    assertJsonEquals(second, await(viaPoll.line(2)));
  }

  @Test
  void namedQueueIsServedUnderQueuesAndKeptApartFromDefault() {
    TestNode node = start(twoQueues());
    PollStream users = await(node.pollOk("users"));
    PollStream defaults = await(node.pollOk("default"));
    await(users.line(0));
    await(defaults.line(0));

    HttpReply reply = await(node.postUpdate("/queues/users/update", USERS, Tokens.update(Configs.PUBLISH_SECRET, USERS)));

    assertEquals(200, reply.status(), reply::toString);
    assertJsonEquals(USERS, await(users.line(1)));
    await(node.publishOk("default", BATCH));
    assertJsonEquals(BATCH, await(defaults.line(1)));
    assertEquals(2, defaults.lineCount(), () -> "default received another queue's batch: " + defaults.lines());
    assertJsonEquals(USERS, await(node.backlogLine("users")));
    assertJsonEquals(BATCH, await(node.backlogLine("default")));
  }

  @Test
  void namedQueueValidatesBatchesWithItsOwnPrimaryKey() {
    TestNode node = start(twoQueues());

    HttpReply wrongKey = await(node.publish("users", BATCH));

    assertEquals(400, wrongKey.status(), wrongKey::toString);
    assertEquals(200, await(node.publish("users", USERS)).status());
  }
}
