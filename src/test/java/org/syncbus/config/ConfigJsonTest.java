package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code check-config} prints: every setting of the configuration the node would run with,
 * in the file's shape (it parses back to the same configuration), and no secret.
 */
class ConfigJsonTest {
  private static final String MASK = ConfigJson.MASK;

  /** Every setting away from its default; every secret already the mask, so that it round-trips. */
  private static JsonObject everySetting(String secret) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    String publicKey = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    JsonObject tls = new JsonObject().put("certPath", "c.pem").put("keyPath", "k.pem").put("clientCaPath", "ca.pem")
        .put("clientAuth", "required");
    return new JsonObject()
        .put("http", new JsonObject().put("host", "::1").put("port", 8443).put("maxBodyBytes", 4096)
            .put("idleTimeoutSeconds", 7).put("cors", new JsonObject().put("allowedOrigins", new JsonArray()
                .add("https://a.example"))).put("tls", tls))
        .put("auth", new JsonObject()
            .put("timeTokens", new JsonObject().put("enabled", true).put("ttlSeconds", 30).put("maxSkewSeconds", 5))
            .put("jwt", new JsonObject().put("keys", new JsonArray()
                    .add(new JsonObject().put("algorithm", "HS384").put("secret", secret))
                    .add(new JsonObject().put("algorithm", "ES256").put("publicKey", publicKey)))
                .put("issuer", "i").put("audience", "a").put("requireExp", false))
            .put("secretOverlapSeconds", 60))
        .put("limits", new JsonObject().put("subscriberBufferBytes", 8192).put("maxConnections", 100)
            .put("maxConnectionsPerAddress", 5).put("headerTimeoutSeconds", 3).put("minBodyBytesPerSecond", 10)
            .put("bufferedBodyBytes", 65536))
        .put("sse", new JsonObject().put("keepAliveSeconds", 9))
        .put("bridges", new JsonObject()
            .put("tcp", new JsonObject().put("enabled", true).put("host", "localhost").put("port", 7001)
                .put("maxConnectionsPerAddress", 2).put("tls", tls.copy().put("clientAuth", "request")))
            .put("sockjs", new JsonObject().put("enabled", true).put("path", "/bus"))
            .put("maxFrameBytes", 2048).put("maxRegistrationsPerConnection", 3))
        .put("reload", new JsonObject().put("scanSeconds", 2))
        .put("cluster", new JsonObject().put("members", 5))
        .put("log", new JsonObject().put("level", "DEBUG"))
        .put("queues", new JsonObject()
            .put("rooms", new JsonObject().put("pk", "room").put("type", "expiring").put("ttlSeconds", 9)
                .put("secrets", new JsonObject().put("publish", secret).put("subscribe", secret))
                .put("backlog", new JsonObject().put("type", "file").put("path", "rooms.json")
                    .put("retryInitialMillis", 10).put("retryMaxMillis", 20).put("timeoutSeconds", 4))
                .put("retain", new JsonObject().put("batches", 3).put("bytes", 4096))
                .put("limits", new JsonObject().put("records", 8).put("bytes", 8192)))
            .put("mdb", new JsonObject().put("pk", "mac")
                .put("secrets", new JsonObject().put("publish", secret).put("subscribe", secret))
                .put("backlog", new JsonObject().put("type", "http").put("url", "https://mdb.example/api"))));
  }

  @Test
  void printedConfigurationParsesBackToTheSameOne() throws GeneralSecurityException {
    SyncbusConfig config = SyncbusConfig.parse(everySetting(MASK), Map.of());

    assertEquals(config, SyncbusConfig.parse(ConfigJson.masked(config), Map.of()));
  }

  @Test
  void defaultsAreWrittenOutAndWorkedOutOnesAreNull() {
    JsonObject printed = ConfigJson.masked(SyncbusConfig.parse(new JsonObject(), Map.of()));

    assertEquals("127.0.0.1", printed.getJsonObject("http").getString("host"));
    assertEquals(8000, printed.getJsonObject("http").getInteger("port"));
    assertEquals(120, printed.getJsonObject("auth").getJsonObject("timeTokens").getInteger("ttlSeconds"));
    assertTrue(printed.getJsonObject("limits").containsKey("maxConnections"));
    assertNull(printed.getJsonObject("limits").getValue("maxConnections"));
    assertEquals(SyncbusConfig.parse(new JsonObject(), Map.of()), SyncbusConfig.parse(printed, Map.of()));
  }

  @Test
  void everySecretIsMasked() throws GeneralSecurityException {
    String secret = "the-real-secret-never-printed";
    JsonObject file = everySetting(secret);
    file.getJsonObject("queues").getJsonObject("mdb").getJsonObject("backlog")
        .put("url", "https://user:" + secret + "@mdb.example/api?token=" + secret);

    JsonObject printed = ConfigJson.masked(SyncbusConfig.parse(file, Map.of()));

    assertFalse(printed.encode().contains(secret), printed::encodePrettily);
    JsonObject rooms = printed.getJsonObject("queues").getJsonObject("rooms");
    assertEquals(new JsonObject().put("publish", MASK).put("subscribe", MASK), rooms.getJsonObject("secrets"));
    assertEquals(MASK, printed.getJsonObject("auth").getJsonObject("jwt").getJsonArray("keys").getJsonObject(0)
        .getString("secret"));
    assertTrue(printed.getJsonObject("auth").getJsonObject("jwt").getJsonArray("keys").getJsonObject(1)
        .getString("publicKey").startsWith("-----BEGIN PUBLIC KEY-----"), "a public key is not a secret");
  }
}
