package org.syncbus.browser;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.TestNode;

/**
 * The SockJS bridge from pages in a real Chromium (README, "Bridges and JWT"): the example pages
 * {@code examples/browser/sockjs.html} ({@code @vertx/eventbus-bridge-client.js}) and
 * {@code sockjs-vertx3.html} ({@code vertx3-eventbus-client}), served from an origin listed in
 * {@code http.cors.allowedOrigins}, follow a queue, ask for its snapshot and publish with a JWT,
 * and see refusals (no right: 403, expired token: 401) in their callbacks; a page of an origin
 * not listed cannot open the bridge and sees it closed. The checks are in
 * {@code src/test/node/browser/sockjs.test.mjs}.
 */
class BrowserSockJsIT extends IntegrationTest {
  private static final String QUEUE = "rooms";
  private static final String PK = "id";
  private static final String JWT_SECRET = "browser-sockjs-jwt-secret-0123456789";

  @Test
  void pagesOfAnAllowedOriginUseTheSockJsBridgeAndPagesOfOthersAreRefused() throws Exception {
    BrowserScript script = new BrowserScript();
    JsonObject config = Configs.node(new JsonObject().put(QUEUE, Configs.keyed(PK)));
    config.getJsonObject("http").put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add(script.pageOrigin())));
    config.put("auth", JwtTokens.auth(JWT_SECRET));
    config.put("bridges", new JsonObject().put("sockjs", new JsonObject().put("enabled", true)));
    TestNode node = start(config);

    script.run("sockjs.test.mjs", Map.of(
        "SYNCBUS_HTTP", "http://" + TestNode.HOST + ":" + node.port(),
        "SYNCBUS_QUEUE", QUEUE,
        "SYNCBUS_PK", PK,
        "SYNCBUS_TOKEN", JwtTokens.sign(vertx, JWT_SECRET, QUEUE, "publish", "subscribe"),
        "SYNCBUS_TOKEN_SUBSCRIBE_ONLY", JwtTokens.sign(vertx, JWT_SECRET, QUEUE, "subscribe"),
        "SYNCBUS_TOKEN_EXPIRED", JwtTokens.expired(vertx, JWT_SECRET, QUEUE, "publish", "subscribe")));
  }
}
