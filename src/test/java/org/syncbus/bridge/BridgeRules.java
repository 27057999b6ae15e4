package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.PrometheusText;
import org.syncbus.testing.TestNode;

/**
 * The rules of the event-bus bridges (README, "Bridges and JWT"), one test per rule, run over
 * every transport by a subclass: {@link TcpBridgeRulesTest} (the TCP bridge, length-prefixed
 * frames) and {@link SockJsBridgeRulesTest} (the SockJS bridge's raw WebSocket), as vertx-web runs
 * its {@code EventbusBridgeTest} locally and clustered.
 *
 * <p>What a JWT allows goes through and meets HTTP subscribers and publishers in one order; every
 * refusal is an err frame with failureCode 401 or 403 addressed to the request, leaves the
 * connection working and applies nothing. Where the two bridges differ (the type of message
 * frames, where a generic err frame puts its code, how a frame of unknown type, a frame without
 * an address and a ping are answered) a subclass says how, through the abstract hooks below; the
 * rule stays here.
 *
 * <p>Frames of one connection are handled in order by either bridge, and the bridges' handler
 * decides synchronously: a request's reply is therefore a barrier for every frame sent before it
 * (a register in particular).
 */
abstract class BridgeRules extends IntegrationTest {
  static final String Q = Configs.DEFAULT;
  private static final String ISSUER = "syncbus-test";
  private static final String AUDIENCE = "syncbus";
  private static final String HS_SECRET = "jwt-test-secret-0123456789abcdef";
  /** {@code queues.Q.limits.records}: more than any other rule here publishes. */
  private static final int RECORD_BOUND = 20;

  @TempDir
  java.nio.file.Path dir;

  /** The node under test: HTTP as usual, JWTs (HS256 and RS256), the transport's bridge enabled. */
  protected TestNode node;
  private JWTAuth hs;
  private JWTAuth rs;

  /** The {@code bridges} section enabling this transport's bridge. */
  protected abstract JsonObject bridges();

  /** A connection to this transport's bridge on {@code node}. */
  protected abstract Future<BridgeClient> connect(TestNode node);

  /** The {@code type} of frames carrying a reply or a message to a registered address. */
  protected abstract String messageType();

  /** The code of an err frame the bridge sends of its own accord (not a request's failure). */
  protected abstract String genericCode(JsonObject err);

  /** The generic code the bridge sends right after every refusal by syncbus's guard. */
  protected abstract String refusalFollowUp();

  /** The generic code answering a frame whose {@code type} is not one of the bridge's. */
  protected abstract String unknownTypeCode();

  /** The errors (failure codes, or generic codes) answering a {@code send} without an address, in order. */
  protected abstract List<Object> errorsForASendWithoutAddress();

  /** The frame type answering a {@code ping}, if the transport answers one at all. */
  protected abstract Optional<String> pingAnswer();

  @BeforeEach
  final void startNode() throws NoSuchAlgorithmException {
    KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    hs = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HS_SECRET)));
    rs = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("queues").getJsonObject(Q).put("limits", new JsonObject().put("records", RECORD_BOUND));
    config
        .put("auth", new JsonObject().put("jwt", new JsonObject()
            .put("keys", new JsonArray()
                .add(new JsonObject().put("algorithm", "HS256").put("secret", HS_SECRET))
                .add(new JsonObject().put("algorithm", "RS256").put("publicKey", pem("PUBLIC KEY", pair.getPublic().getEncoded()))))
            .put("issuer", ISSUER).put("audience", AUDIENCE)))
        .put("bridges", bridges());
    node = start(config);
  }

  private static String pem(String kind, byte[] der) {
    return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + kind + "-----\n";
  }

  private static JsonObject rights(String... rights) {
    return new JsonObject().put("syncbus", new JsonObject().put(Q, new JsonArray(List.of((Object[]) rights))));
  }

  private static JWTOptions valid() {
    return new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE)).setExpiresInSeconds(600);
  }

  private String token(JsonObject claims) {
    return hs.generateToken(claims, valid());
  }

  private BridgeClient connect() {
    BridgeClient client = await(connect(node));
    closeAfter(() -> Await.await(client.close()));
    return client;
  }

  private static String batch(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  /** Sends a batch to apply and returns the answer, which must be addressed to the request. */
  private static JsonObject apply(BridgeClient client, String batch, String token) {
    String replyAddress = client.request(Addresses.apply(Q), new JsonArray(batch), token);
    JsonObject reply = await(client.next());
    assertEquals(replyAddress, reply.getString("address"), "the answer is addressed to the request: " + reply);
    return reply;
  }

  /** Requests the snapshot and returns the answer, which must be addressed to the request. */
  private static JsonObject snapshot(BridgeClient client, String token) {
    String replyAddress = client.request(Addresses.snapshot(Q), new JsonObject(), token);
    JsonObject reply = await(client.next());
    assertEquals(replyAddress, reply.getString("address"), "the answer is addressed to the request: " + reply);
    return reply;
  }

  /**
   * The queue's seq as its owner has it (asked on the event bus): an edge's {@code /info} follows
   * the owner a moment later, and a count right after an acknowledged batch could miss it.
   */
  private long seq() {
    return await(vertx.eventBus().<JsonObject>request(Addresses.snapshot(Q), new JsonObject())).body().getLong("seq");
  }

  /** What an err frame says: its failureCode when it fails a request, else the bridge's generic code. */
  private Object errorOf(JsonObject frame) {
    assertEquals("err", frame.getString("type"), () -> "an err frame: " + frame.encode());
    Integer code = frame.getInteger("failureCode");
    return code != null ? code : genericCode(frame);
  }

  private void assertMessage(JsonObject frame) {
    assertEquals(messageType(), frame.getString("type"), frame::encode);
  }

  @Test
  void sendToApplyWithThePublishRightRepliesEpochAndSeqAndReachesHttpSubscribers() {
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    JsonObject reply = apply(connect(), batch(1), token(rights("publish")));
    assertMessage(reply);
    JsonObject body = reply.getJsonObject("body");
    assertEquals(1, body.getLong("seq"));
    assertEquals(await(node.infoOk(Q)).getString("epoch"), body.getString("epoch"));
    assertEquals(batch(1), await(poll.line(1)));
  }

  @Test
  void batchesFromHttpAndFromTheBridgeReachEverySubscriberInOneOrder() {
    String token = token(rights("publish", "subscribe"));
    BridgeClient subscriber = connect();
    subscriber.register(Addresses.updates(Q), token);
    assertMessage(snapshot(subscriber, token));
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    BridgeClient publisher = connect();
    for (int i = 1; i <= 10; i++) {
      if (i % 2 == 0) {
        await(node.publishOk(Q, batch(i)));
      } else {
        assertMessage(apply(publisher, batch(i), token));
      }
    }
    List<String> overTheBridge = new ArrayList<>();
    List<String> overHttp = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      JsonObject message = await(subscriber.next());
      assertMessage(message);
      assertEquals(Addresses.updates(Q), message.getString("address"));
      JsonObject update = message.getJsonObject("body");
      assertEquals(i, update.getLong("seq"));
      overTheBridge.add(update.getJsonArray("batch").encode());
      overHttp.add(await(poll.line(i)));
    }
    assertEquals(overHttp, overTheBridge, "the same batches in the same order over HTTP and over the bridge");
  }

  /** Sends a batch to apply under an idempotency key; returns the answer addressed to the request. */
  private static JsonObject applyWithKey(BridgeClient client, String batch, String token, String key) {
    JsonObject headers = new JsonObject().put("Authorization", "Bearer " + token).put(Addresses.IDEMPOTENCY_KEY, key);
    String replyAddress = client.request(Addresses.apply(Q), new JsonArray(batch), headers);
    JsonObject reply = await(client.next());
    assertEquals(replyAddress, reply.getString("address"), "the answer is addressed to the request: " + reply);
    return reply;
  }

  @Test
  void aBatchSentAgainUnderItsIdempotencyKeyIsAnsweredWithItsOriginalEpochAndSeqNotAppliedAgain() {
    String token = token(rights("publish"));
    BridgeClient client = connect();
    JsonObject first = applyWithKey(client, batch(1), token, "bridge-key-1");
    assertMessage(first);
    assertEquals(1, first.getJsonObject("body").getLong("seq"));
    assertMessage(apply(client, batch(2), token));

    JsonObject again = applyWithKey(connect(), batch(1), token, "bridge-key-1");
    assertMessage(again);
    assertEquals(first.getJsonObject("body").getString("epoch"), again.getJsonObject("body").getString("epoch"));
    assertEquals(1, again.getJsonObject("body").getLong("seq"), "the original seq");
    assertEquals(true, again.getJsonObject("body").getBoolean("duplicate"));
    assertEquals(2, seq(), "applied once");
  }

  @Test
  void anIdempotencyKeyUsedForAnotherBatchIsRefusedWith422AndABadKeyWith400() {
    String token = token(rights("publish"));
    BridgeClient client = connect();
    assertMessage(applyWithKey(client, batch(1), token, "bridge-key-2"));
    JsonObject conflict = applyWithKey(client, batch(2), token, "bridge-key-2");
    assertEquals(422, errorOf(conflict));
    assertTrue(conflict.getString("message").contains("bridge-key-2"), conflict::encode);
    assertEquals(400, errorOf(applyWithKey(client, batch(3), token, "")));
    assertEquals(400, errorOf(applyWithKey(client, batch(3), token, "k".repeat(129))));
    assertEquals(400, errorOf(applyWithKey(client, batch(3), token, "caf\u00e9")));
    assertEquals(1, seq(), "nothing applied but the first batch");
    assertMessage(applyWithKey(client, batch(3), token, "k".repeat(128)));
  }

  /** The node's {@code syncbus_subscribers{kind="bridge"}} line for {@link #Q} in {@code /metrics}, once it reads {@code count}. */
  private void awaitBridgeSubscribers(int count) {
    String line = "syncbus_subscribers{kind=\"bridge\",queue=\"" + Q + "\"} " + count + ".0";
    await(Await.eventually(vertx, "/metrics shows " + line, 100, 50, () -> node.get("/metrics"),
        reply -> reply.body().lines().anyMatch(line::equals)));
  }

  @Test
  void registrationsOnUpdatesAreBridgeSubscribersInTheMetricsUntilTheConnectionCloses() throws Exception {
    String token = token(rights("subscribe"));
    BridgeClient client = connect();
    client.register(Addresses.updates(Q), token);
    assertMessage(snapshot(client, token)); // handled after the register
    awaitBridgeSubscribers(1);
    assertEquals(403, errorOf(snapshot(client, token(rights("publish")))));

    PrometheusText metrics = PrometheusText.parse(await(node.get("/metrics")).body(), dir);
    assertTrue(metrics.get("syncbus_bridge_frames_total", "type", "register") >= 1);
    assertTrue(metrics.get("syncbus_bridge_frames_total", "type", "send") >= 2);
    assertEquals(1, metrics.get("syncbus_refusals_total", "status", "403", "cause", "FORBIDDEN"));
    await(client.close());
    awaitBridgeSubscribers(0);
  }

  @Test
  void connectionsRegisteredOnOneAddressEachGetEveryBatchTillTheyUnregisterOrClose() {
    String token = token(rights("publish", "subscribe"));
    List<BridgeClient> clients = List.of(connect(), connect(), connect());
    for (BridgeClient client : clients) {
      client.register(Addresses.updates(Q), token);
      assertMessage(snapshot(client, token)); // handled after the register
    }
    await(node.publishOk(Q, batch(1)));
    for (BridgeClient client : clients) {
      assertEquals(1, await(client.next()).getJsonObject("body").getLong("seq"));
    }
    clients.get(0).write(new JsonObject().put("type", "unregister").put("address", Addresses.updates(Q)));
    await(clients.get(1).close());
    assertMessage(snapshot(clients.get(0), token)); // the unregister was handled
    await(node.publishOk(Q, batch(2)));
    JsonObject last = await(clients.get(2).next());
    assertEquals(2, last.getJsonObject("body").getLong("seq"), "the one still registered gets the next batch");
    assertEquals(new JsonArray(batch(2)), last.getJsonObject("body").getJsonArray("batch"));
    JsonObject after = snapshot(clients.get(0), token);
    assertMessage(after);
    assertEquals(2, after.getJsonObject("body").getLong("seq"), "the unregistered one got no batch message, only its answer");
  }

  @Test
  void snapshotNeedsTheSubscribeRight() {
    await(node.publishOk(Q, batch(7)));
    BridgeClient client = connect();
    JsonObject snapshot = snapshot(client, token(rights("subscribe")));
    assertMessage(snapshot);
    assertEquals(new JsonArray(batch(7)), snapshot.getJsonObject("body").getJsonArray("snapshot"));
    assertEquals(1, snapshot.getJsonObject("body").getLong("seq"));
    assertEquals(403, errorOf(snapshot(client, token(rights("publish")))));
  }

  @Test
  void anRs256KeyAndAWildcardQueueAreAccepted() {
    String token = rs.generateToken(new JsonObject().put("syncbus", new JsonObject().put("*", new JsonArray().add("publish"))),
        valid().setAlgorithm("RS256"));
    assertMessage(apply(connect(), batch(2), token));
    assertEquals(1, seq());
  }

  @Test
  void theTokenMayComeAsATokenHeaderAsWellAsAuthorizationBearer() {
    BridgeClient client = connect();
    String replyAddress = client.request(Addresses.apply(Q), new JsonArray(batch(3)),
        new JsonObject().put("token", token(rights("publish"))));
    JsonObject reply = await(client.next());
    assertEquals(replyAddress, reply.getString("address"));
    assertMessage(reply);
    assertEquals(1, seq());
  }

  /** A refusal: an err frame to the request with {@code code}, the connection still works, nothing applied. */
  private void assertRefused(BridgeClient client, String token, int code) {
    long before = seq();
    JsonObject err = apply(client, batch(99), token);
    assertEquals(code, errorOf(err), err::encode);
    assertEquals(before, seq(), "nothing was applied");
    assertStillWorks(client);
  }

  /** The connection still works: a batch sent now is applied (the bridge's generic err frames are skipped). */
  private void assertStillWorks(BridgeClient client) {
    long before = seq();
    String replyAddress = client.request(Addresses.apply(Q), new JsonArray(batch(100)), token(rights("publish")));
    JsonObject reply;
    while (true) {
      JsonObject frame = await(client.next());
      if (replyAddress.equals(frame.getString("address"))) {
        reply = frame;
        break;
      }
      assertEquals(refusalFollowUp(), errorOf(frame), () -> "only the bridge's generic err frames come unasked: " + frame.encode());
    }
    assertMessage(reply);
    assertEquals(before + 1, reply.getJsonObject("body").getLong("seq"), "the connection still works: " + reply.encode());
    assertFalse(client.isClosed());
  }

  @Test
  void missingTokenIsRefusedWith401() {
    assertRefused(connect(), null, 401);
  }

  @Test
  void forgedTokenIsRefusedWith401() {
    JWTAuth forger = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("not-the-secret-0123456789abcdef")));
    assertRefused(connect(), forger.generateToken(rights("publish"), valid()), 401);
  }

  @Test
  void malformedTokenIsRefusedWith401() {
    assertRefused(connect(), "not.a.jwt", 401);
  }

  @Test
  void expiredTokenIsRefusedWith401() {
    JsonObject claims = rights("publish").put("exp", System.currentTimeMillis() / 1000 - 60);
    assertRefused(connect(), hs.generateToken(claims, new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE))), 401);
  }

  @Test
  void tokenWithoutExpIsRefusedWith401() {
    assertRefused(connect(), hs.generateToken(rights("publish"),
        new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE))), 401);
  }

  @Test
  void tokenWithARegisteredClaimOfTheWrongTypeIsRefusedWith401AsOverHttp() {
    BridgeClient client = connect();
    String token = hs.generateToken(rights("publish").put("exp", "tomorrow"),
        new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE)));
    JsonObject err = apply(client, batch(98), token);
    assertEquals(401, errorOf(err), err::encode);
    assertEquals("invalid token (exp: expected a number)", err.getString("message"));
  }

  @Test
  void tokenForAnotherAudienceIsRefusedWith401() {
    assertRefused(connect(), hs.generateToken(rights("publish"),
        new JWTOptions().setIssuer(ISSUER).setAudience(List.of("someone-else")).setExpiresInSeconds(600)), 401);
  }

  @Test
  void tokenFromAnotherIssuerIsRefusedWith401() {
    assertRefused(connect(), hs.generateToken(rights("publish"),
        new JWTOptions().setIssuer("elsewhere").setAudience(List.of(AUDIENCE)).setExpiresInSeconds(600)), 401);
  }

  @Test
  void tokenWithoutThePublishRightIsRefusedWith403() {
    assertRefused(connect(), token(rights("subscribe")), 403);
  }

  @Test
  void tokenForAnotherQueueIsRefusedWith403() {
    assertRefused(connect(), token(new JsonObject().put("syncbus", new JsonObject().put("other", new JsonArray().add("publish")))), 403);
  }

  @Test
  void registeringOnApplyIsRefusedWith403() {
    BridgeClient client = connect();
    client.register(Addresses.apply(Q), token(rights("publish", "subscribe")));
    assertEquals(403, errorOf(await(client.next())));
    assertStillWorks(client);
  }

  @Test
  void registeringOnUpdatesWithoutTheSubscribeRightIsRefusedWith403() {
    BridgeClient client = connect();
    client.register(Addresses.updates(Q), token(rights("publish")));
    assertEquals(403, errorOf(await(client.next())));
    assertStillWorks(client);
    await(node.publishOk(Q, batch(5)));
    JsonObject next = snapshot(client, token(rights("subscribe")));
    assertMessage(next);
    assertEquals(2, next.getJsonObject("body").getLong("seq"), "no batch was delivered to the refused registration: " + next);
  }

  @Test
  void publishingOntoUpdatesIsRefusedWith403() {
    BridgeClient client = connect();
    long before = seq();
    client.write(new JsonObject().put("type", "publish").put("address", Addresses.updates(Q))
        .put("headers", new JsonObject().put("token", token(rights("publish", "subscribe"))))
        .put("body", new JsonObject().put("seq", 999).put("batch", new JsonArray())));
    assertEquals(403, errorOf(await(client.next())));
    assertStillWorks(client);
    assertEquals(before + 1, seq(), "only the check's own batch was applied");
  }

  @Test
  void unknownQueuesAndAddressesAreRefusedWith403() {
    BridgeClient client = connect();
    String token = token(new JsonObject().put("syncbus", new JsonObject().put("*", new JsonArray().add("publish").add("subscribe"))));
    assertEquals(403, errorOf(await(nextAfter(client, client.request(Addresses.apply("nosuchqueue"), new JsonArray(), token)))));
    assertStillWorks(client);
    client.register(Addresses.updates("nosuchqueue"), token);
    assertEquals(403, errorOf(await(client.next())));
    assertStillWorks(client);
    assertEquals(403, errorOf(await(nextAfter(client, client.request("some.other.address", new JsonObject(), token)))));
    assertStillWorks(client);
  }

  /** The next frame, which must answer the request sent to {@code replyAddress}. */
  private static Future<JsonObject> nextAfter(BridgeClient client, String replyAddress) {
    return client.next().map(frame -> {
      assertEquals(replyAddress, frame.getString("address"), () -> "the answer is addressed to the request: " + frame);
      return frame;
    });
  }

  @Test
  void everyRefusalIsFollowedByTheBridgesOwnGenericErrFrame() {
    BridgeClient client = connect();
    String publishOnly = token(rights("publish"));
    JsonObject refused = apply(client, batch(98), token(rights("subscribe")));
    assertEquals(403, errorOf(refused));
    assertGenericRefusal(await(client.next()));
    client.register(Addresses.updates(Q), publishOnly);
    assertEquals(403, errorOf(await(client.next())));
    assertGenericRefusal(await(client.next()));
    client.write(new JsonObject().put("type", "publish").put("address", Addresses.updates(Q))
        .put("headers", new JsonObject().put("token", publishOnly)).put("body", new JsonObject()));
    assertEquals(403, errorOf(await(client.next())));
    assertGenericRefusal(await(client.next()));
    assertStillWorks(client);
  }

  private void assertGenericRefusal(JsonObject frame) {
    assertEquals(refusalFollowUp(), errorOf(frame), frame::encode);
    assertNull(frame.getValue("address"), () -> "the generic err frame has no address: " + frame.encode());
  }

  @Test
  void aFrameThatIsNotJsonIsAnsweredWithInvalidJson() {
    BridgeClient client = connect();
    client.writeRaw("this is not json");
    assertEquals("invalid_json", errorOf(await(client.next())));
    client.writeRaw("");
    assertEquals("invalid_json", errorOf(await(client.next())), "an empty frame is not JSON either");
    assertStillWorks(client);
  }

  @Test
  void aFrameOfUnknownTypeIsAnsweredWithAnErr() {
    BridgeClient client = connect();
    client.write(new JsonObject().put("type", "no-such-type").put("address", Addresses.apply(Q)));
    assertEquals(unknownTypeCode(), errorOf(await(client.next())));
    assertStillWorks(client);
  }

  @Test
  void aSendWithoutAddressIsAnsweredWithAnErr() {
    BridgeClient client = connect();
    long before = seq();
    client.write(new JsonObject().put("type", "send").put("body", new JsonArray(batch(97)))
        .put("headers", new JsonObject().put("token", token(rights("publish")))));
    List<Object> errors = new ArrayList<>();
    for (int i = 0; i < errorsForASendWithoutAddress().size(); i++) {
      errors.add(errorOf(await(client.next())));
    }
    assertEquals(errorsForASendWithoutAddress(), errors);
    assertEquals(before, seq(), "nothing was applied");
    assertStillWorks(client);
  }

  @Test
  void pingKeepsTheConnectionAndIsAnsweredOnlyWhereTheTransportAnswersIt() {
    BridgeClient client = connect();
    client.write(new JsonObject().put("type", "ping"));
    Optional<String> answer = pingAnswer();
    if (answer.isPresent()) {
      assertEquals(answer.get(), await(client.next()).getString("type"));
    }
    // The next frame answers the next request: no answer to the ping came in between.
    assertMessage(snapshot(client, token(rights("subscribe"))));
  }

  @Test
  void invalidBatchThroughTheBridgeFailsWith400NamingTheElement() {
    BridgeClient client = connect();
    JsonObject err = apply(client, "[{\"type\":\"update\",\"data\":{\"name\":\"no key\"}}]", token(rights("publish")));
    assertEquals(400, errorOf(err));
    assertTrue(err.getString("message").contains("batch[0].data: missing key field \"id\""), err::encode);
    assertEquals(0, seq(), "nothing was applied");
    assertStillWorks(client);
  }

  @Test
  void batchOverTheQueuesBoundFailsWith507NamingTheBoundAndNothingIsApplied() {
    BridgeClient client = connect();
    JsonArray batch = new JsonArray();
    for (int id = 1; id <= RECORD_BOUND + 1; id++) {
      batch.addAll(new JsonArray(batch(id)));
    }
    JsonObject err = apply(client, batch.encode(), token(rights("publish")));
    assertEquals(507, errorOf(err));
    assertEquals("queue " + Q + " would hold " + (RECORD_BOUND + 1) + " records (queues." + Q + ".limits.records is "
        + RECORD_BOUND + ")", err.getString("message"));
    assertEquals(0, seq(), "nothing was applied");
    assertStillWorks(client);
  }
}
