package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * PROTOCOL.md, "Time tokens": who may poll and who may publish, where it takes a configuration of
 * its own (clock skew, lifetime, disabled tokens, per-queue secrets) or a token's exact shape. The
 * refusals that hold on any deployment (wrong secret, expired, missing, a secret used for the
 * other side) are {@link ProtocolRules}'.
 */
class TimeTokenTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1}}]";
  private static final String PUB = Configs.PUBLISH_SECRET;
  private static final String SUB = Configs.SUBSCRIBE_SECRET;

  private static JsonObject config(long maxSkewSeconds) {
    JsonObject config = Configs.defaultNode();
    config.put("auth", new JsonObject().put("timeTokens", new JsonObject()
        .put("enabled", true).put("ttlSeconds", 120).put("maxSkewSeconds", maxSkewSeconds)));
    return config;
  }

  private PollStream poll(TestNode node, String token) {
    return await(node.openPoll("/poll" + Tokens.pollQuery(token)));
  }

  private HttpReply update(TestNode node, String data, String token) {
    return await(node.postUpdate("/update", data, token));
  }

  /** A refused poll: the status, and the body when {@code body} is given. */
  private void assertPollRefused(PollStream poll, int status, String body) {
    assertEquals(status, poll.status(), "poll status");
    String text = await(poll.refusalBody());
    if (body != null) {
      assertEquals(body, text);
    }
  }

  /** Nothing was applied: the backlog is still empty. */
  private void assertNothingApplied(TestNode node) {
    assertJsonEquals("[]", await(node.backlogLine(Q)));
    assertEquals(0L, await(node.infoOk(Q)).getLong("seq"));
  }

  @Test
  void validTokensAllowPollingAndPublishing() {
    TestNode node = start(config(120));

    PollStream poll = poll(node, Tokens.poll(SUB));
    assertEquals(200, poll.status());
    assertJsonEquals("[]", await(poll.line(0)));
    assertEquals(200, update(node, BATCH, Tokens.update(PUB, BATCH)).status());

    assertJsonEquals(BATCH, await(poll.line(1)));
  }

  @Test
  void tokenDatedSlightlyAheadWithinMaxSkewIsAccepted() {
    TestNode node = start(config(30));
    long ahead = Tokens.now() + 10;

    PollStream poll = poll(node, Tokens.poll(SUB, ahead));

    assertEquals(200, poll.status());
    assertEquals(200, update(node, BATCH, Tokens.update(PUB, BATCH, ahead)).status());
    assertJsonEquals(BATCH, await(poll.line(1)));
  }

  @Test
  void tokenDatedBeyondMaxSkewInTheFutureIsRefused() {
    TestNode node = start(config(30));
    long future = Tokens.now() + 300;

    assertPollRefused(poll(node, Tokens.poll(SUB, future)), 403, "Invalid token");
    HttpReply update = update(node, BATCH, Tokens.update(PUB, BATCH, future));

    assertEquals(403, update.status());
    assertEquals("Invalid token", update.body());
    assertNothingApplied(node);
  }

  @Test
  void defaultMaxSkewIs120Seconds() {
    TestNode node = start(Configs.defaultNode());

    assertEquals(200, poll(node, Tokens.poll(SUB, Tokens.now() + 60)).status());
    assertPollRefused(poll(node, Tokens.poll(SUB, Tokens.now() + 300)), 403, "Invalid token");
    HttpReply update = update(node, BATCH, Tokens.update(PUB, BATCH, Tokens.now() + 300));
    assertEquals(403, update.status());
    assertNothingApplied(node);
  }

  static Stream<String> malformedPollTokens() {
    long now = Tokens.now();
    String valid = Tokens.poll(SUB, now);
    String digest = valid.substring(valid.indexOf(':') + 1);
    return Stream.of(
        "",
        "garbage",
        Long.toString(now),
        now + ":",
        ":" + digest,
        "abc:" + digest,
        now + ".0:" + digest,
        now + ":" + digest + ":extra",
        now + ":" + digest.toUpperCase(),
        now + ":" + digest.substring(1),
        now + ":" + digest + "0",
        " " + valid);
  }

  @ParameterizedTest
  @MethodSource("malformedPollTokens")
  void malformedPollTokenIsRefusedWith403(String token) {
    TestNode node = start(config(120));

    assertPollRefused(poll(node, token), 403, "Invalid token");
  }

  @Test
  void malformedUpdateTokenIsRefusedWith403AndNothingApplied() {
    TestNode node = start(config(120));
    String valid = Tokens.update(PUB, BATCH);

    for (String token : new String[] {"garbage", valid + ":1", valid.toUpperCase(), "x" + valid}) {
      HttpReply reply = update(node, BATCH, token);
      assertEquals(403, reply.status(), () -> token + " -> " + reply);
      assertEquals("Invalid token", reply.body());
    }
    assertNothingApplied(node);
  }

  @Test
  void secretsAreChosenPerQueue() {
    JsonObject config = config(120);
    config.getJsonObject("queues").put("other", new JsonObject().put("pk", "id")
        .put("secrets", new JsonObject().put("publish", "other-pub").put("subscribe", "other-sub")));
    TestNode node = start(config);

    HttpReply foreign = await(node.postUpdate("/queues/other/update", BATCH, Tokens.update(PUB, BATCH)));
    assertEquals(403, foreign.status());
    PollStream foreignPoll = await(node.openPoll("/queues/other/poll" + Tokens.pollQuery(Tokens.poll(SUB))));
    assertPollRefused(foreignPoll, 403, "Invalid token");

    HttpReply own = await(node.postUpdate("/queues/other/update", BATCH, Tokens.update("other-pub", BATCH)));
    assertEquals(200, own.status(), own::toString);
  }

  @Test
  void disabledTimeTokensAcceptRequestsWithoutAnyToken() {
    JsonObject config = Configs.node(new JsonObject().put(Q, new JsonObject().put("pk", "id")));
    config.put("auth", new JsonObject().put("timeTokens", new JsonObject().put("enabled", false)));
    TestNode node = start(config);

    PollStream poll = await(node.openPoll("/poll?data=%7B%7D"));
    assertEquals(200, poll.status());
    assertJsonEquals("[]", await(poll.line(0)));
    assertEquals(200, update(node, BATCH, null).status());

    assertJsonEquals(BATCH, await(poll.line(1)));
  }

  @Test
  void anOpenStreamIsNotCutWhenItsTokenLaterExpires() {
    JsonObject config = Configs.defaultNode();
    config.put("auth", new JsonObject().put("timeTokens", new JsonObject().put("ttlSeconds", 1)));
    TestNode node = start(config);
    String token = Tokens.poll(SUB, Tokens.now());
    PollStream poll = poll(node, token);
    assertEquals(200, poll.status());
    await(poll.line(0));

    // Wait for the token to expire: the same token is refused by a new request.
    await(Await.eventually(vertx, "the poll token expires", 60, 100,
        () -> node.openPoll("/poll" + Tokens.pollQuery(token)).map(PollStream::status), status -> status == 403));
    await(node.publishOk(Q, BATCH));

    assertJsonEquals(BATCH, await(poll.line(1)));
  }
}
