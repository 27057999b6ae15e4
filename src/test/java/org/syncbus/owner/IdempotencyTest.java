package org.syncbus.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * Idempotency keys on one node (README, "Exactly once"): over HTTP ({@code Idempotency-Key}) and
 * on the event bus ({@code idempotency-key}); the bridges are covered by {@code BridgeRules}, a
 * fail-over by {@code ProtocolClusterTest} and {@code ClusterIT}. The window is timed on an
 * injected clock.
 */
class IdempotencyTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private final FakeClock clock = FakeClock.atSystemTime();

  private TestNode node(int keys, long seconds) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("queues").getJsonObject(Q)
        .put("idempotency", new JsonObject().put("keys", keys).put("seconds", seconds));
    return start(config, clock);
  }

  private static String batch(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  private static Future<HttpReply> publish(TestNode node, String batch, String... keys) {
    return node.publish(Q, batch, keys);
  }

  private long seq(TestNode node) {
    return await(node.infoOk(Q)).getLong("seq");
  }

  private Future<JsonObject> apply(String batch, String key) {
    return vertx.eventBus().<JsonObject>request(Addresses.apply(Q), batch,
        new DeliveryOptions().addHeader(Addresses.IDEMPOTENCY_KEY, key)).map(reply -> reply.body());
  }

  /** The failure code {@code request} fails with, once it has. */
  private static int failureCode(Future<?> request) {
    await(request.otherwise(error -> null));
    return assertInstanceOf(ReplyException.class, request.cause(), "a refusal").failureCode();
  }

  @Test
  void overHttpARetryIsAnswered200WithoutBeingAppliedAgain() {
    TestNode node = node(100, 600);
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));

    HttpReply first = await(publish(node, batch(1), "retry-1"));
    assertEquals(200, first.status(), first::toString);
    assertNull(first.headers().get("Idempotent-Replayed"));
    HttpReply retry = await(publish(node, "[ {\"type\": \"update\", \"data\": {\"id\": 1}} ]", "retry-1"));
    assertEquals(200, retry.status(), retry::toString);
    assertEquals("", retry.body(), "the empty body of PROTOCOL.md");
    assertEquals("true", retry.headers().get("Idempotent-Replayed"));
    await(node.publishOk(Q, batch(2)));

    assertEquals(batch(1), await(poll.line(1)));
    assertEquals(batch(2), await(poll.line(2)), "the retry sent no line of its own");
    assertEquals(2, seq(node));
  }

  @Test
  void overHttpAKeyUsedForAnotherBatchIs422AndABadKey400() {
    TestNode node = node(100, 600);
    assertEquals(200, await(publish(node, batch(1), "conflict-1")).status());

    HttpReply conflict = await(publish(node, batch(2), "conflict-1"));
    assertEquals(422, conflict.status(), conflict::toString);
    assertTrue(conflict.body().startsWith("Idempotency key conflict: idempotency key \"conflict-1\" was used for another batch"),
        conflict::toString);
    for (String bad : List.of("", "k".repeat(129))) {
      HttpReply refused = await(publish(node, batch(3), bad));
      assertEquals(400, refused.status(), refused::toString);
      assertTrue(refused.body().startsWith("Invalid Idempotency-Key: an idempotency key has 1 to 128 characters"),
          refused::toString);
    }
    HttpReply twoKeys = await(publish(node, batch(3), "a", "b"));
    assertEquals(400, twoKeys.status(), twoKeys::toString);
    assertEquals(1, seq(node), "nothing applied but the first batch");
    assertEquals(200, await(publish(node, batch(3), "k".repeat(128))).status(), "128 characters are a key");
  }

  @Test
  void onTheEventBusARetryGetsTheOriginalEpochAndSeq() {
    node(100, 600);
    JsonObject first = await(apply(batch(1), "bus-1"));
    await(apply(batch(2), "bus-2"));
    JsonObject retry = await(apply(batch(1), "bus-1"));

    assertEquals(first.getString("epoch"), retry.getString("epoch"));
    assertEquals(1, retry.getLong("seq"));
    assertEquals(true, retry.getBoolean("duplicate"));
    assertNull(first.getBoolean("duplicate"));
    assertEquals(422, failureCode(apply(batch(3), "bus-1")));
  }

  @Test
  void onTheEventBusABadKeyIs400AndNothingIsApplied() {
    TestNode node = node(100, 600);
    assertEquals(400, failureCode(apply(batch(1), "k".repeat(129))));
    assertEquals(400, failureCode(apply(batch(1), "line\nbreak")));
    assertEquals(0, seq(node));
  }

  @Test
  void aKeyIsForgottenOnceItsSecondsHavePassed() {
    TestNode node = node(100, 60);
    assertEquals(1, await(apply(batch(1), "window-1")).getLong("seq"));
    clock.advance(Duration.ofSeconds(59));
    assertEquals(true, await(apply(batch(1), "window-1")).getBoolean("duplicate"));

    clock.advance(Duration.ofSeconds(1));
    JsonObject again = await(apply(batch(1), "window-1"));
    assertEquals(2, again.getLong("seq"), "past the window the same key is a new batch");
    assertEquals(2, seq(node));
  }

  @Test
  void onlyTheLastKeysAreRemembered() {
    TestNode node = node(2, 600);
    for (int i = 1; i <= 3; i++) {
      await(apply(batch(i), "count-" + i));
    }
    assertEquals(true, await(apply(batch(3), "count-3")).getBoolean("duplicate"));
    assertEquals(true, await(apply(batch(2), "count-2")).getBoolean("duplicate"));
    assertEquals(4, await(apply(batch(1), "count-1")).getLong("seq"), "the oldest key was forgotten");
    assertEquals(4, seq(node));
  }
}
