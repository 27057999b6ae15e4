package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
 * README, "HTTP endpoints" and "Configuration" ({@code http.maxBodyBytes}): a body over the limit
 * answers 413; Vert.x's 8 KB form limits must not bite below it.
 */
class BodyLimitTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final int LIMIT = 64 * 1024;

  private static JsonObject limited() {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("http").put("maxBodyBytes", LIMIT);
    return config;
  }

  private static String batchOfAbout(int bytes) {
    return "[{\"type\":\"update\",\"data\":{\"id\":\"big\",\"blob\":\"" + "x".repeat(bytes) + "\"}}]";
  }

  @Test
  void bodyOverMaxBodyBytesIsRefusedWith413AndNothingApplied() {
    TestNode node = start(limited());

    HttpReply reply = await(node.publish(Q, batchOfAbout(2 * LIMIT)));

    assertEquals(413, reply.status(), reply::toString);
    assertJsonEquals("[]", await(node.backlogLine(Q)));
  }

  @Test
  void chunkedBodyOverMaxBodyBytesIsRefusedWith413AndNothingApplied() {
    TestNode node = start(limited());
    String batch = batchOfAbout(2 * LIMIT);
    String form = "data=" + Tokens.encode(batch) + "&hmac=" + Tokens.encode(Tokens.update(Configs.PUBLISH_SECRET, batch));

    HttpReply reply = await(node.postFormChunked("/update", form, 4096));

    assertEquals(413, reply.status(), reply::toString);
    assertJsonEquals("[]", await(node.backlogLine(Q)));
  }

  @Test
  void chunkedBodyUnderMaxBodyBytesIsAccepted() {
    TestNode node = start(limited());
    String batch = batchOfAbout(20 * 1024);
    String form = "data=" + Tokens.encode(batch) + "&hmac=" + Tokens.encode(Tokens.update(Configs.PUBLISH_SECRET, batch));

    HttpReply reply = await(node.postFormChunked("/update", form, 1000));

    assertEquals(200, reply.status(), reply::toString);
    assertJsonEquals(batch, await(node.backlogLine(Q)));
  }

  @Test
  void batchLargerThanVertxDefaultFormLimitsButUnderMaxBodyBytesIsAccepted() {
    TestNode node = start(limited());
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    String batch = batchOfAbout(40 * 1024);
    assertTrue(batch.length() > 8192 && batch.length() < LIMIT);

    HttpReply reply = await(node.publish(Q, batch));

    assertEquals(200, reply.status(), reply::toString);
    assertJsonEquals(batch, await(poll.line(1)));
    assertJsonEquals(batch, await(node.backlogLine(Q)));
  }

  @Test
  void defaultMaxBodyBytesAcceptsABatchOfAMegabyte() {
    TestNode node = start(Configs.defaultNode());
    String batch = batchOfAbout(1024 * 1024);

    HttpReply reply = await(node.publish(Q, batch));

    assertEquals(200, reply.status(), reply::toString);
    assertEquals(1, await(node.infoOk(Q)).getInteger("records"));
  }
}
