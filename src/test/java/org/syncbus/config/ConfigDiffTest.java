package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a reload logs it changed: the paths of the settings that differ, as the file names them,
 * never a value; queues on one side only are left to the added and removed lists.
 */
class ConfigDiffTest {
  /**
   * Every key of the configuration set away from its value in {@link #BASE}: the defaults, but for
   * the TLS sections and the queue, which have no defaults to compare with.
   */
  private static final String EVERY_KEY = """
      {
        "http": {"host": "127.0.0.2", "port": 8001, "maxBodyBytes": 2048, "cors": {"allowedOrigins": ["https://a.example"]},
                 "idleTimeoutSeconds": 30,
                 "tls": {"certPath": "a.pem", "keyPath": "a.key", "clientCaPath": "ca-a.pem", "clientAuth": "request"}},
        "auth": {"timeTokens": {"enabled": false, "ttlSeconds": 30, "maxSkewSeconds": 5},
                 "jwt": {"keys": [{"algorithm": "HS256", "secret": "jwt-a"}], "issuer": "ia", "audience": "aa",
                         "requireExp": false},
                 "secretOverlapSeconds": 10},
        "limits": {"subscriberBufferBytes": 2048, "maxConnections": 100, "maxConnectionsPerAddress": 10,
                   "headerTimeoutSeconds": 5, "minBodyBytesPerSecond": 100, "bufferedBodyBytes": 4096},
        "sse": {"keepAliveSeconds": 5},
        "bridges": {"tcp": {"enabled": true, "host": "127.0.0.3", "port": 7001, "maxConnectionsPerAddress": 3,
                            "tls": {"certPath": "b.pem", "keyPath": "b.key", "clientCaPath": "ca-b.pem", "clientAuth": "request"}},
                    "sockjs": {"enabled": true, "path": "/a"}, "maxFrameBytes": 2048, "maxRegistrationsPerConnection": 8},
        "reload": {"scanSeconds": 2},
        "cluster": {"members": 5},
        "log": {"level": "DEBUG", "format": "json"},
        "metrics": {"enabled": false, "requireAdmin": true},
        "admin": {"token": "admin-token-0123456789"},
        "console": {"enabled": false, "sessionMinutes": 5},
        "queues": {"q": {"pk": "id", "type": "expiring", "ttlSeconds": 60, "secrets": {"publish": "pa", "subscribe": "sa"},
                         "backlog": {"type": "file", "path": "a.json", "retryInitialMillis": 100, "retryMaxMillis": 1000,
                                     "timeoutSeconds": 5},
                         "retain": {"batches": 10, "bytes": 1000}, "limits": {"records": 10, "bytes": 1000},
                         "idempotency": {"keys": 10, "seconds": 60}}}
      }
      """;

  private static final String BASE = """
      {"http": {"tls": {"certPath": "x.pem", "keyPath": "x.key"}},
       "bridges": {"tcp": {"tls": {"certPath": "y.pem", "keyPath": "y.key"}}},
       "queues": {"q": {"pk": "x", "secrets": {"publish": "p", "subscribe": "s"}}}}
      """;

  private static SyncbusConfig parse(String json) {
    return SyncbusConfig.parse(new JsonObject(json), Map.of());
  }

  /** The paths of the values (objects walked into, arrays taken whole) of a configuration file. */
  private static void leaves(String path, JsonObject json, TreeSet<String> paths) {
    json.forEach(entry -> {
      String child = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
      if (entry.getValue() instanceof JsonObject object) {
        leaves(child, object, paths);
      } else {
        paths.add(child);
      }
    });
  }

  @Test
  void everySettingThatDiffersIsNamedByItsPathInTheFile() {
    TreeSet<String> expected = new TreeSet<>();
    leaves("", new JsonObject(EVERY_KEY), expected);
    List<String> changed = ConfigDiff.changed(parse(BASE), parse(EVERY_KEY));
    assertEquals(expected, new TreeSet<>(changed));
    assertEquals(expected.size(), changed.size(), () -> "each path once: " + changed);
  }

  @Test
  void equalConfigurationsDifferInNothing() {
    assertEquals(List.of(), ConfigDiff.changed(parse(EVERY_KEY), parse(EVERY_KEY)));
  }

  @Test
  void pathsComeInTheFilesOrderWithSecretsByPathOnly() {
    SyncbusConfig before = parse(EVERY_KEY);
    JsonObject edited = new JsonObject(EVERY_KEY).mergeIn(new JsonObject("""
        {"log": {"level": "INFO"}, "auth": {"timeTokens": {"ttlSeconds": 99}},
         "queues": {"q": {"secrets": {"publish": "rotated"}}}}"""), true);
    assertEquals(List.of("auth.timeTokens.ttlSeconds", "log.level", "queues.q.secrets.publish"),
        ConfigDiff.changed(before, SyncbusConfig.parse(edited, Map.of())));
  }

  @Test
  void sectionOnOneSideOnlyIsNamedWhole() {
    JsonObject plain = new JsonObject(BASE);
    plain.getJsonObject("http").remove("tls");
    assertEquals(List.of("http.tls"), ConfigDiff.changed(parse(BASE), SyncbusConfig.parse(plain, Map.of())));
  }

  @Test
  void queuesOnOneSideOnlyAreNotSettingsChanged() {
    JsonObject more = new JsonObject(EVERY_KEY);
    more.getJsonObject("queues").put("added", new JsonObject().put("pk", "id")
        .put("secrets", new JsonObject().put("publish", "p").put("subscribe", "s")));
    assertEquals(List.of(), ConfigDiff.changed(parse(EVERY_KEY), SyncbusConfig.parse(more, Map.of())));
    assertEquals(List.of(), ConfigDiff.changed(SyncbusConfig.parse(more, Map.of()), parse(EVERY_KEY)));
  }
}
