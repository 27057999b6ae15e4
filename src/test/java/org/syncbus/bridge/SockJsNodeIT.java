package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.NodeScript;
import org.syncbus.testing.TestNode;

/**
 * The SockJS bridge with the third-party Node client ({@code @vertx/eventbus-bridge-client.js}):
 * runs {@code src/test/node/sockjs-bridge.test.mjs} with {@code node --test} against a node with
 * the bridge and JWTs enabled. Needs {@code npm ci --prefix src/test/node} first (scripts/test).
 */
class SockJsNodeIT extends IntegrationTest {
  private static final String QUEUE = "rooms";
  private static final String JWT_SECRET = "sockjs-it-jwt-secret-0123456789abcdef";
  private static final String OTHER_SECRET = "not-the-server-secret-0123456789abcdef";

  @TempDir
  Path dir;

  @Test
  void nodeEventBusClientPublishesFollowsAndIsRefusedThroughTheSockJsBridge() throws Exception {
    JsonObject config = Configs.node(new JsonObject()
        .put(Configs.DEFAULT, Configs.keyed("id"))
        .put(QUEUE, Configs.keyed("id")));
    config.put("auth", JwtTokens.auth(JWT_SECRET));
    config.put("bridges", new JsonObject().put("sockjs", new JsonObject().put("enabled", true).put("path", "/eventbus")));
    TestNode node = start(config);

    String http = "http://" + TestNode.HOST + ":" + node.port();
    NodeScript.run("sockjs-bridge.test.mjs", Map.of(
        "SYNCBUS_URL", http + "/eventbus",
        "SYNCBUS_HTTP", http,
        "SYNCBUS_QUEUE", QUEUE,
        "SYNCBUS_TOKEN", token(JWT_SECRET, "publish", "subscribe"),
        "SYNCBUS_TOKEN_SUBSCRIBE_ONLY", token(JWT_SECRET, "subscribe"),
        "SYNCBUS_TOKEN_FORGED", token(OTHER_SECRET, "publish", "subscribe"),
        "SYNCBUS_PUBLISH_SECRET", node.publishSecret(QUEUE)), dir);
  }

  /** A JWT signed with {@code secret} granting {@code rights} on {@link #QUEUE}. */
  private String token(String secret, String... rights) {
    return JwtTokens.sign(vertx, secret, QUEUE, rights);
  }
}
