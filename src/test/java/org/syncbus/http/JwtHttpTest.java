package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/** JWTs over HTTP, beside the time tokens that keep working; and cross-origin requests. */
class JwtHttpTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String SECRET = "jwt-http-test-secret-0123456789";
  private static final String ORIGIN = "https://app.example";

  private TestNode node;
  private JWTAuth signer;

  @BeforeEach
  void startNode() {
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    JsonObject config = Configs.defaultNode()
        .put("auth", new JsonObject().put("jwt", new JsonObject()
            .put("keys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", SECRET)))));
    config.getJsonObject("http").put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add(ORIGIN)));
    config.put("bridges", new JsonObject().put("sockjs", new JsonObject().put("enabled", true)));
    node = start(config);
  }

  private String token(String... rights) {
    return signer.generateToken(new JsonObject().put("syncbus", new JsonObject().put(Q, new JsonArray(List.of((Object[]) rights)))),
        new JWTOptions().setExpiresInSeconds(600));
  }

  private HttpReply postWithBearer(String batch, String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/x-www-form-urlencoded")
        .add("Authorization", "Bearer " + token);
    return await(node.send(HttpMethod.POST, TestNode.updatePath(Q), headers, Buffer.buffer("data=" + Tokens.encode(batch))));
  }

  @Test
  void bearerTokenWithThePublishRightPublishes() {
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    HttpReply reply = postWithBearer("[{\"type\":\"update\",\"data\":{\"id\":1}}]", token("publish"));
    assertEquals(200, reply.status(), reply.body());
    assertEquals("[{\"type\":\"update\",\"data\":{\"id\":1}}]", await(poll.line(1)));
  }

  @Test
  void bearerTokenWithoutThePublishRightIsRefusedWith403() {
    HttpReply reply = postWithBearer("[]", token("subscribe"));
    assertEquals(403, reply.status());
    assertEquals(0L, await(node.infoOk(Q)).getLong("seq"), "nothing applied");
  }

  @Test
  void forgedMalformedOrExpiredBearerTokensAreRefusedWith401() {
    JWTAuth forger = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("another-secret-0123456789abcdef")));
    String forged = forger.generateToken(new JsonObject().put("syncbus", new JsonObject().put(Q, new JsonArray().add("publish"))));
    String expired = signer.generateToken(new JsonObject().put("exp", System.currentTimeMillis() / 1000 - 10)
        .put("syncbus", new JsonObject().put(Q, new JsonArray().add("publish"))));
    for (String token : List.of(forged, "garbage", expired)) {
      HttpReply reply = postWithBearer("[]", token);
      assertEquals(401, reply.status(), token);
      assertEquals("Bearer", reply.headers().get("WWW-Authenticate"));
    }
    assertEquals(0L, await(node.infoOk(Q)).getLong("seq"), "nothing applied");
  }

  /** Registered claims of the wrong type, or no exp: 401 with a message naming the claim, never 500. */
  @Test
  void tokensWithoutExpOrWithRegisteredClaimsOfTheWrongTypeAreRefusedWith401() {
    JsonObject rights = new JsonObject().put("syncbus", new JsonObject().put(Q, new JsonArray().add("publish")));
    long later = System.currentTimeMillis() / 1000 + 600;
    java.util.Map<String, JsonObject> cases = new java.util.LinkedHashMap<>();
    cases.put("invalid token (exp: missing (auth.jwt.requireExp))", rights.copy());
    cases.put("invalid token (exp: expected a number)", rights.copy().put("exp", "tomorrow"));
    cases.put("invalid token (nbf: expected a number)", rights.copy().put("exp", later).put("nbf", true));
    cases.put("invalid token (iat: expected a number)", rights.copy().put("exp", later).put("iat", new JsonObject()));
    cases.put("invalid token (aud: expected a string or a list of strings)", rights.copy().put("exp", later).put("aud", 7));
    cases.forEach((message, claims) -> {
      HttpReply reply = postWithBearer("[]", signer.generateToken(claims));
      assertEquals(401, reply.status(), message);
      assertEquals("Unauthorized: " + message, reply.body());
    });
    assertEquals(0L, await(node.infoOk(Q)).getLong("seq"), "nothing applied");
  }

  @Test
  void accessTokenParameterOpensPollsAndEventStreams() {
    String query = "?data=%7B%7D&access_token=" + Tokens.encode(token("subscribe"));
    PollStream poll = await(node.openPoll(TestNode.pollPath(Q) + query));
    assertEquals(200, poll.status());
    assertEquals("[]", await(poll.line(0)));
    PollStream events = await(node.openPoll("/events" + query));
    assertEquals(200, events.status());
    assertTrue(await(events.line(1)).equals("event: snapshot"));
    PollStream refused = await(node.openPoll(TestNode.pollPath(Q) + "?access_token=" + Tokens.encode(token("publish"))));
    assertEquals(403, refused.status(), "a publish-only token does not subscribe");
  }

  @Test
  void timeTokensStillWorkBesideJwts() {
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":2}}]"));
    assertEquals("[{\"type\":\"update\",\"data\":{\"id\":2}}]", await(node.backlogLine(Q)));
  }

  @Test
  void sockJsBridgeRefusesPagesOfOtherOrigins() {
    MultiMap evil = MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example");
    assertEquals(403, await(node.send(HttpMethod.GET, "/eventbus/info", evil, null)).status());
    MultiMap allowed = MultiMap.caseInsensitiveMultiMap().add("Origin", ORIGIN);
    assertEquals(200, await(node.send(HttpMethod.GET, "/eventbus/info", allowed, null)).status());
    assertEquals(200, await(node.get("/eventbus/info")).status(), "clients that are not pages send no Origin");
  }

  /**
   * sockjs-client sends its requests with credentials: a browser blocks the answer to
   * {@code /eventbus/info} unless it allows credentials to the page's origin by name (once, the
   * header was left empty and no page could open the bridge).
   */
  @Test
  void sockJsInfoAllowsCredentialsToAListedOrigin() {
    MultiMap allowed = MultiMap.caseInsensitiveMultiMap().add("Origin", ORIGIN);
    HttpReply info = await(node.send(HttpMethod.GET, "/eventbus/info", allowed, null));
    assertEquals(200, info.status());
    assertEquals(ORIGIN, info.headers().get("Access-Control-Allow-Origin"));
    assertEquals("true", info.headers().get("Access-Control-Allow-Credentials"));
  }

  @Test
  void crossOriginRequestsAreAllowedOnlyFromConfiguredOrigins() {
    MultiMap allowed = MultiMap.caseInsensitiveMultiMap().add("Origin", ORIGIN);
    HttpReply ping = await(node.send(HttpMethod.GET, "/__ping", allowed, null));
    assertEquals(ORIGIN, ping.headers().get("Access-Control-Allow-Origin"));
    MultiMap other = MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example");
    HttpReply refused = await(node.send(HttpMethod.GET, "/__ping", other, null));
    assertNull(refused.headers().get("Access-Control-Allow-Origin"));
  }
}
