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

/**
 * README, "HTTP endpoints" and "Configuration" ({@code queues}): the queue named {@code default}
 * answers at /poll and /update as well as under /queues/default/. The rules of the paths under
 * /queues/Q/ are {@link ProtocolRules}'.
 */
class QueueRoutingTest extends IntegrationTest {
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1}}]";

  private static JsonObject twoQueues() {
    return Configs.node(new JsonObject()
        .put("default", Configs.keyed("id"))
        .put("users", Configs.keyed("login")));
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
}
