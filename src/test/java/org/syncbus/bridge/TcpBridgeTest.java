package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * The TCP event-bus bridge with JWTs, through a frame client written from the wire format: what a
 * token allows goes through and meets HTTP subscribers and publishers in one order; every refusal
 * is an err frame with 401 or 403, leaves the connection working and applies nothing.
 */
class TcpBridgeTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String ISSUER = "syncbus-test";
  private static final String AUDIENCE = "syncbus";
  private static final String HS_SECRET = "jwt-test-secret-0123456789abcdef";

  private int bridgePort;
  private TestNode node;
  private JWTAuth hs;
  private JWTAuth rs;
  private String rsPublicKey;

  @BeforeEach
  void startNode() throws IOException, NoSuchAlgorithmException {
    KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    rsPublicKey = pem("PUBLIC KEY", pair.getPublic().getEncoded());
    hs = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HS_SECRET)));
    rs = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    try (ServerSocket free = new ServerSocket(0)) {
      bridgePort = free.getLocalPort();
    }
    JsonObject config = Configs.defaultNode()
        .put("auth", new JsonObject().put("jwt", new JsonObject()
            .put("keys", new JsonArray()
                .add(new JsonObject().put("algorithm", "HS256").put("secret", HS_SECRET))
                .add(new JsonObject().put("algorithm", "RS256").put("publicKey", rsPublicKey)))
            .put("issuer", ISSUER).put("audience", AUDIENCE)))
        .put("bridges", new JsonObject().put("tcp", new JsonObject().put("enabled", true).put("port", bridgePort)));
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

  private TcpFrameClient connect() {
    TcpFrameClient client = await(TcpFrameClient.connect(vertx, bridgePort));
    closeAfter(() -> Await.await(client.close()));
    return client;
  }

  private static String batch(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  /** Sends a batch to apply and returns the reply frame (a message or an err frame). */
  private static JsonObject apply(TcpFrameClient client, String batch, String token) {
    String replyAddress = client.request("syncbus." + Q + ".apply", new JsonArray(batch), token);
    JsonObject reply = await(client.next());
    assertEquals(replyAddress, reply.getString("address"), "the answer is addressed to the request: " + reply);
    return reply;
  }

  private long seq() {
    return await(node.infoOk(Q)).getLong("seq");
  }

  @Test
  void sendToApplyWithThePublishRightRepliesEpochAndSeqAndReachesHttpSubscribers() {
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    JsonObject reply = apply(connect(), batch(1), token(rights("publish")));
    assertEquals("message", reply.getString("type"), reply.encode());
    JsonObject body = reply.getJsonObject("body");
    assertEquals(1, body.getLong("seq"));
    assertEquals(await(node.infoOk(Q)).getString("epoch"), body.getString("epoch"));
    assertEquals(batch(1), await(poll.line(1)));
  }

  @Test
  void batchesFromHttpAndFromTheBridgeReachEverySubscriberInOneOrder() {
    String token = token(rights("publish", "subscribe"));
    TcpFrameClient subscriber = connect();
    subscriber.register("syncbus." + Q + ".updates", token);
    subscriber.write(new JsonObject().put("type", "ping"));
    assertEquals("pong", await(subscriber.next()).getString("type"), "registered before publishing");
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    TcpFrameClient publisher = connect();
    for (int i = 1; i <= 10; i++) {
      if (i % 2 == 0) {
        await(node.publishOk(Q, batch(i)));
      } else {
        assertEquals("message", apply(publisher, batch(i), token).getString("type"));
      }
    }
    List<String> overTcp = new ArrayList<>();
    List<String> overHttp = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      JsonObject update = await(subscriber.next()).getJsonObject("body");
      assertEquals(i, update.getLong("seq"));
      overTcp.add(update.getJsonArray("batch").encode());
      overHttp.add(await(poll.line(i)));
    }
    assertEquals(overHttp, overTcp, "the same batches in the same order over HTTP and over the bridge");
  }

  @Test
  void snapshotNeedsTheSubscribeRight() {
    await(node.publishOk(Q, batch(7)));
    TcpFrameClient client = connect();
    client.request("syncbus." + Q + ".snapshot", new JsonObject(), token(rights("subscribe")));
    JsonObject snapshot = await(client.next()).getJsonObject("body");
    assertEquals(new JsonArray(batch(7)), snapshot.getJsonArray("snapshot"));
    client.request("syncbus." + Q + ".snapshot", new JsonObject(), token(rights("publish")));
    assertEquals(403, await(client.next()).getInteger("failureCode"));
  }

  @Test
  void anRs256KeyAndAWildcardQueueAreAccepted() {
    String token = rs.generateToken(new JsonObject().put("syncbus", new JsonObject().put("*", new JsonArray().add("publish"))),
        valid().setAlgorithm("RS256"));
    assertEquals("message", apply(connect(), batch(2), token).getString("type"));
  }

  /** A refusal: an err frame to the request with {@code code}, the connection still works, nothing applied. */
  private void assertRefused(TcpFrameClient client, String token, int code) {
    long before = seq();
    JsonObject err = apply(client, batch(99), token);
    assertEquals("err", err.getString("type"), err.encode());
    assertEquals(code, err.getInteger("failureCode"), err.encode());
    assertEquals(before, seq(), "nothing was applied");
    assertStillWorks(client);
  }

  private void assertStillWorks(TcpFrameClient client) {
    JsonObject ok = applySkippingGenericErrors(client);
    assertEquals("message", ok.getString("type"), "the connection still works: " + ok.encode());
    assertFalse(client.isClosed());
  }

  /** The bridge follows a refusal with a generic err frame of its own; skip those. */
  private JsonObject applySkippingGenericErrors(TcpFrameClient client) {
    String replyAddress = client.request("syncbus." + Q + ".apply", new JsonArray(batch(100)), token(rights("publish")));
    while (true) {
      JsonObject frame = await(client.next());
      if (replyAddress.equals(frame.getString("address"))) {
        return frame;
      }
      assertEquals("err", frame.getString("type"), "only err frames come unasked: " + frame.encode());
    }
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
  void registeringOnApplyIsRefused() {
    TcpFrameClient client = connect();
    client.register("syncbus." + Q + ".apply", token(rights("publish", "subscribe")));
    JsonObject err = await(client.next());
    assertEquals("err", err.getString("type"));
    assertEquals(403, err.getInteger("failureCode"), err.encode());
    assertStillWorks(client);
  }

  @Test
  void registeringOnUpdatesWithoutTheSubscribeRightIsRefused() {
    TcpFrameClient client = connect();
    client.register("syncbus." + Q + ".updates", token(rights("publish")));
    assertEquals(403, await(client.next()).getInteger("failureCode"));
    assertStillWorks(client);
  }

  @Test
  void publishingOntoUpdatesIsRefused() {
    TcpFrameClient client = connect();
    long before = seq();
    client.write(new JsonObject().put("type", "publish").put("address", "syncbus." + Q + ".updates")
        .put("headers", new JsonObject().put("token", token(rights("publish", "subscribe"))))
        .put("body", new JsonObject().put("seq", 999).put("batch", new JsonArray())));
    assertEquals(403, await(client.next()).getInteger("failureCode"));
    assertStillWorks(client);
    assertEquals(before + 1, seq(), "only the check's own batch was applied");
  }

  @Test
  void unknownAddressesAreRefused() {
    TcpFrameClient client = connect();
    String token = token(rights("publish", "subscribe"));
    client.request("syncbus.nosuchqueue.apply", new JsonArray(), token);
    assertEquals(403, await(client.next()).getInteger("failureCode"));
    assertStillWorks(client);
    client.request("some.other.address", new JsonObject(), token);
    assertEquals("err", await(client.next()).getString("type"));
    assertStillWorks(client);
  }

  @Test
  void badFramesLeaveTheConnectionAndTheServerUnharmed() {
    TcpFrameClient client = connect();
    client.writeRaw("this is not json");
    assertEquals("invalid_json", await(client.next()).getString("message"), "a frame that is not JSON is answered with err");
    client.write(new JsonObject().put("type", "no-such-type").put("address", "syncbus." + Q + ".apply"));
    assertEquals("unknown_type", await(client.next()).getString("message"), "an unknown frame type is answered with err");
    client.write(new JsonObject().put("type", "send"));
    assertEquals("err", await(client.next()).getString("type"), "a frame without address is answered with err");
    assertStillWorks(client);
  }

  @Test
  void invalidBatchThroughTheBridgeFailsWith400NamingTheElement() {
    TcpFrameClient client = connect();
    JsonObject err = apply(client, "[{\"type\":\"update\",\"data\":{\"name\":\"no key\"}}]", token(rights("publish")));
    assertEquals(400, err.getInteger("failureCode"));
    assertTrue(err.getString("message").contains("batch[0].data: missing key field \"id\""), err.encode());
  }
}
