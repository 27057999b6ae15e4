package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/** The issue's {@code GET /queues/Q/info}: its fields, and that it is authenticated like poll. */
class QueueInfoTest extends IntegrationTest {

  private static JsonObject config() {
    return Configs.node(new JsonObject().put("default", Configs.keyed("id")).put("users", Configs.keyed("login")));
  }

  @Test
  void infoDescribesTheQueueAndNodeEqualsOwnerOnASingleNode() {
    TestNode node = start(config());
    await(node.publishOk("users", "[{\"type\":\"update\",\"data\":{\"login\":\"ada\"}},"
        + "{\"type\":\"update\",\"data\":{\"login\":\"bob\"}}]"));
    await(node.publishOk("users", "[{\"type\":\"delete\",\"data\":{\"login\":\"bob\"}}]"));
    await(node.publishOk("users", "[]"));
    PollStream poll = await(node.pollOk("users"));
    await(poll.line(0));

    JsonObject info = await(node.infoOk("users"));

    assertEquals("users", info.getString("queue"));
    assertEquals("login", info.getString("pk"));
    assertEquals(3L, info.getLong("seq"), info::encode);
    assertEquals(1, info.getInteger("records"), info::encode);
    assertEquals(1, info.getInteger("subscribers"), info::encode);
    assertTrue(info.getString("node") != null && !info.getString("node").isEmpty(), info::encode);
    assertEquals(info.getString("node"), info.getString("owner"));
    JsonObject other = await(node.infoOk("default"));
    assertEquals(0L, other.getLong("seq"));
    assertEquals(0, other.getInteger("subscribers"));
    assertEquals(info.getString("node"), other.getString("node"));
  }

  @Test
  void infoNeedsAValidSubscribeToken() {
    TestNode node = start(config());

    HttpReply missing = await(node.get("/queues/users/info?data=%7B%7D"));
    HttpReply wrong = await(node.get("/queues/users/info" + Tokens.pollQuery(Tokens.poll("wrong"))));
    HttpReply publisher = await(node.get("/queues/users/info" + Tokens.pollQuery(Tokens.poll(Configs.PUBLISH_SECRET))));

    assertTrue(missing.status() == 400 || missing.status() == 403, missing::toString);
    assertEquals(403, wrong.status());
    assertEquals("Invalid token", wrong.body());
    assertEquals(403, publisher.status());
    assertFalse(publisher.body().contains("subscribers"));
  }
}
