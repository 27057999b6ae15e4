package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * README, "Exposing a node": a node listening beyond loopback refuses to start without time
 * tokens, or with a guessable secret, in one line naming the setting; on loopback the same
 * configuration starts, with one warning. One row per refusal and per acceptance.
 */
class ExposureTest {
  private static final String STRONG = "a-secret-of-16-bytes-or-more";
  private static final String SHORT = "fifteen-bytes!!";

  /** Queue {@code q} with {@code publish} as its publish secret, HTTP on {@code host}, and {@code more} merged in. */
  private static JsonObject config(String host, String publish, String more) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", host))
        .put("queues", new JsonObject().put("q", new JsonObject().put("pk", "id")
            .put("secrets", new JsonObject().put("publish", publish).put("subscribe", STRONG))))
        .mergeIn(new JsonObject(more), true);
  }

  private static String refusal(JsonObject config, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> SyncbusConfig.parse(config, env)).getMessage();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a shipped placeholder on 0.0.0.0 | 0.0.0.0      | change-me-pub | {} | queues.q.secrets.publish: a placeholder secret (change-me-pub) on a node listening on 0.0.0.0 (http.host); set a secret of at least 16 bytes
      another placeholder              | 0.0.0.0      | change-me-please-before-production | {} | queues.q.secrets.publish: a placeholder secret (change-me…) on a node listening on 0.0.0.0 (http.host); set a secret of at least 16 bytes
      a short secret on 0.0.0.0        | 0.0.0.0      | fifteen-bytes!! | {} | queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on 0.0.0.0 (http.host); set a secret of at least 16 bytes
      a short secret on ::             | ::           | fifteen-bytes!! | {} | queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on :: (http.host); set a secret of at least 16 bytes
      a short secret on a host name    | syncbus.example | fifteen-bytes!! | {} | queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on syncbus.example (http.host); set a secret of at least 16 bytes
      a short secret on a LAN address  | 10.0.0.1     | fifteen-bytes!! | {} | queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on 10.0.0.1 (http.host); set a secret of at least 16 bytes
      time tokens off on 0.0.0.0       | 0.0.0.0      | a-secret-of-16-bytes-or-more | {"auth":{"timeTokens":{"enabled":false}}} | auth.timeTokens.enabled: false on a node listening on 0.0.0.0 (http.host): anyone could publish and subscribe; enable time tokens, or listen on 127.0.0.1
      a short HS JWT key on 0.0.0.0    | 0.0.0.0      | a-secret-of-16-bytes-or-more | {"auth":{"jwt":{"keys":[{"algorithm":"HS256","secret":"jwt-key"}]}}} | auth.jwt.keys[0].secret: a secret shorter than 16 bytes on a node listening on 0.0.0.0 (http.host); set a secret of at least 16 bytes
      a short HS JWT key on an exposed TCP bridge | 127.0.0.1 | a-secret-of-16-bytes-or-more | {"bridges":{"tcp":{"enabled":true,"host":"0.0.0.0"}},"auth":{"jwt":{"keys":[{"algorithm":"HS512","secret":"jwt-key"}]}}} | auth.jwt.keys[0].secret: a secret shorter than 16 bytes on a node listening on 0.0.0.0 (bridges.tcp.host); set a secret of at least 16 bytes
      a short queue secret on an exposed TCP bridge | 127.0.0.1 | fifteen-bytes!! | {"bridges":{"tcp":{"enabled":true,"host":"10.0.0.1"}}} | queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on 10.0.0.1 (bridges.tcp.host); set a secret of at least 16 bytes
      """)
  void exposedNodeIsRefusedNamingTheSetting(String rule, String host, String publish, String more, String message) {
    String refused = refusal(config(host, publish, more), Map.of());
    assertEquals(message, refused);
    if (!publish.equals("change-me-pub")) { // a shipped placeholder is public: the others are never quoted
      assertFalse(refused.contains(publish), "the refusal quotes a secret: " + refused);
    }
  }

  @Test
  void environmentHostOverrideIsCheckedToo() {
    assertEquals("queues.q.secrets.publish: a placeholder secret (change-me-pub) on a node listening on 0.0.0.0 "
        + "(http.host); set a secret of at least 16 bytes",
        refusal(config("127.0.0.1", "change-me-pub", "{}"), Map.of(SyncbusConfig.ENV_HTTP_HOST, "0.0.0.0")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "localhost", "LocalHost"})
  void loopbackNodeStartsWithWeakSecretsAndOneWarning(String host) {
    SyncbusConfig config = SyncbusConfig.parse(config(host, "change-me-pub",
        "{\"auth\":{\"jwt\":{\"keys\":[{\"algorithm\":\"HS256\",\"secret\":\"k\"}]}}}"), Map.of());
    assertEquals("queues.q.secrets.publish: a placeholder secret (change-me-pub): allowed while the node listens on "
        + "loopback only, refused if it listens beyond it", Exposure.warning(config));
  }

  @Test
  void loopbackNodeStartsWithoutTimeTokens() {
    SyncbusConfig config = SyncbusConfig.parse(config("127.0.0.1", SHORT, "{\"auth\":{\"timeTokens\":{\"enabled\":false}}}"),
        Map.of());
    assertNull(Exposure.warning(config), "queue secrets are not used without time tokens");
  }

  @Test
  void exposedNodeStartsWithStrongSecrets() {
    SyncbusConfig config = SyncbusConfig.parse(config("0.0.0.0", STRONG, """
        {"auth": {"jwt": {"keys": [{"algorithm": "HS256", "secret": "another-secret-of-16-bytes"}]}},
         "bridges": {"tcp": {"enabled": true, "host": "0.0.0.0"}}}"""), Map.of());
    assertEquals("0.0.0.0", config.http().host());
    assertNull(Exposure.warning(config));
  }

  /** Sixteen bytes, not sixteen characters: eight two-byte characters are enough, seven are not. */
  @Test
  void secretLengthIsCountedInBytes() {
    SyncbusConfig.parse(config("0.0.0.0", "éééééééé", "{}"), Map.of());
    assertEquals("queues.q.secrets.publish: a secret shorter than 16 bytes on a node listening on 0.0.0.0 "
        + "(http.host); set a secret of at least 16 bytes", refusal(config("0.0.0.0", "ééééééé", "{}"), Map.of()));
  }

  @Test
  void disabledBridgeDoesNotExposeTheNode() {
    SyncbusConfig.parse(config("127.0.0.1", SHORT, """
        {"bridges": {"tcp": {"enabled": false, "host": "0.0.0.0"}}}"""), Map.of());
  }

  /** Time tokens are the HTTP port's: a node exposing only its TCP bridge (JWT) may run without them. */
  @Test
  void exposedTcpBridgeAllowsNodeWithoutTimeTokens() {
    SyncbusConfig.parse(config("127.0.0.1", "", """
        {"auth": {"timeTokens": {"enabled": false}, "jwt": {"keys": [{"algorithm": "HS256", "secret": "another-secret-of-16-bytes"}]}},
         "bridges": {"tcp": {"enabled": true, "host": "0.0.0.0"}}}"""), Map.of());
  }
}
