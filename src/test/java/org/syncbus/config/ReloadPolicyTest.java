package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reload policy (README, "Reloading the configuration"): each setting only a restart applies is
 * reported by its path and kept as it runs; every other setting is taken from the file and named
 * among those changed; queues are added and removed; an unchanged file changes nothing.
 */
class ReloadPolicyTest {
  /** The running node: two queues, one of each type, a JWT key, both bridges off. */
  private static final String RUNNING = """
      {
        "http": {"host": "127.0.0.1", "port": 8000, "maxBodyBytes": 65536},
        "auth": {
          "timeTokens": {"ttlSeconds": 120, "maxSkewSeconds": 120},
          "jwt": {"keys": [{"algorithm": "HS256", "secret": "jwt-1"}], "issuer": "i", "audience": "a"},
          "secretOverlapSeconds": 0
        },
        "limits": {"subscriberBufferBytes": 4096},
        "sse": {"keepAliveSeconds": 15},
        "reload": {"scanSeconds": 5},
        "log": {"level": "INFO"},
        "queues": {
          "default": {"pk": "id", "secrets": {"publish": "pub-1", "subscribe": "sub-1"}},
          "presence": {"pk": "login", "type": "expiring", "ttlSeconds": 60,
                       "secrets": {"publish": "pub-2", "subscribe": "sub-2"}}
        }
      }
      """;

  private static SyncbusConfig running() {
    return SyncbusConfig.parse(new JsonObject(RUNNING), Map.of());
  }

  /** The running file with {@code edit} merged into it, as the node would read it. */
  private static SyncbusConfig edited(String edit) {
    return SyncbusConfig.parse(new JsonObject(RUNNING).mergeIn(new JsonObject(edit), true), Map.of());
  }

  @Test
  void fileDroppingSecretsWhileTokensStayOnIsRefused() {
    String edit = """
        {"auth": {"timeTokens": {"enabled": false}}, "queues": {"default": {"pk": "id", "secrets": {}}}}
        """;
    JsonObject file = new JsonObject(RUNNING).mergeIn(new JsonObject(edit), true);
    file.getJsonObject("queues").getJsonObject("default").put("secrets", new JsonObject());
    SyncbusConfig next = SyncbusConfig.parse(file, Map.of());
    ConfigException refused = assertThrows(ConfigException.class, () -> ReloadPolicy.apply(running(), next));
    assertEquals("queues.default.secrets.publish: missing (auth.timeTokens.enabled stays true until a restart)",
        refused.getMessage());
  }

  /**
   * A node listening beyond loopback keeps doing so until a restart, whatever the file says: a
   * file that moves it to loopback cannot bring in the weak secrets only loopback allows.
   */
  @Test
  void fileWithWeakSecretsIsRefusedWhileTheNodeStaysExposed() {
    JsonObject exposed = new JsonObject(RUNNING);
    exposed.getJsonObject("http").put("host", "0.0.0.0");
    exposed.getJsonObject("auth").getJsonObject("jwt").put("keys", new JsonArray());
    exposed.getJsonObject("queues").forEach(queue -> ((JsonObject) queue.getValue()).put("secrets",
        new JsonObject().put("publish", "publish-secret-of-16+").put("subscribe", "subscribe-secret-of-16+")));
    SyncbusConfig running = SyncbusConfig.parse(exposed, Map.of());
    exposed.getJsonObject("http").put("host", "127.0.0.1");
    exposed.getJsonObject("queues").getJsonObject("default").getJsonObject("secrets").put("publish", "short");
    SyncbusConfig next = SyncbusConfig.parse(exposed, Map.of());

    ConfigException refused = assertThrows(ConfigException.class, () -> ReloadPolicy.apply(running, next));
    assertEquals("queues.default.secrets.publish: a secret shorter than 16 bytes on a node listening on 0.0.0.0 "
        + "(http.host); set a secret of at least 16 bytes", refused.getMessage());
  }

  @Test
  void unchangedFileChangesNothing() {
    SyncbusConfig running = running();
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running, running());
    assertEquals(running, reload.effective());
    assertEquals(List.of(), reload.ignored());
    assertEquals(List.of(), reload.changed());
    assertEquals(List.of(), reload.added());
    assertEquals(List.of(), reload.removed());
    assertTrue(reload.changesNothing());
    assertEquals("no change", reload.summary());
  }

  /** One row per setting only a restart applies: the edit, and the paths reported. */
  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"http":{"host":"127.0.0.2"}}                                | http.host
      {"http":{"port":9000}}                                       | http.port
      {"http":{"cors":{"allowedOrigins":["https://a.example"]}}}   | http.cors.allowedOrigins
      {"auth":{"timeTokens":{"enabled":false}}}                    | auth.timeTokens.enabled
      {"bridges":{"tcp":{"enabled":true}}}                         | bridges.tcp
      {"bridges":{"tcp":{"port":7001}}}                            | bridges.tcp
      {"bridges":{"sockjs":{"enabled":true,"path":"/bus"}}}        | bridges.sockjs
      {"queues":{"default":{"pk":"key"}}}                          | queues.default.pk
      {"queues":{"default":{"type":"expiring","ttlSeconds":30}}}   | queues.default.type queues.default.ttlSeconds
      {"queues":{"presence":{"ttlSeconds":30}}}                    | queues.presence.ttlSeconds
      {"queues":{"default":{"backlog":{"type":"file","path":"d.json"}}}} | queues.default.backlog
      {"queues":{"default":{"backlog":{"timeoutSeconds":5}}}}      | queues.default.backlog
      """)
  void restartOnlySettingIsReportedAndKeptAsItRuns(String edit, String paths) {
    SyncbusConfig running = running();
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running, edited(edit));
    assertEquals(Arrays.asList(paths.split(" ")), reload.ignored());
    assertEquals(running, reload.effective());
    assertEquals("no change", reload.summary(), "what waits for a restart changes nothing now");
  }

  /**
   * One row per setting a reload applies: the edit is taken whole, nothing is reported as waiting,
   * and the paths changed are named (a secret by its path only).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      http.maxBodyBytes                | {"http":{"maxBodyBytes":1048576}}
      queues.default.secrets.publish queues.default.secrets.subscribe | {"queues":{"default":{"secrets":{"publish":"pub-9","subscribe":"sub-9"}}}}
      queues.presence.retain.batches queues.presence.retain.bytes     | {"queues":{"presence":{"retain":{"batches":10,"bytes":1024}}}}
      queues.default.limits.records queues.default.limits.bytes       | {"queues":{"default":{"limits":{"records":10,"bytes":4096}}}}
      auth.jwt.keys                    | {"auth":{"jwt":{"keys":[{"algorithm":"HS512","secret":"jwt-2"}]}}}
      auth.jwt.issuer auth.jwt.audience | {"auth":{"jwt":{"issuer":"i2","audience":"a2"}}}
      auth.timeTokens.ttlSeconds       | {"auth":{"timeTokens":{"ttlSeconds":30}}}
      auth.timeTokens.maxSkewSeconds   | {"auth":{"timeTokens":{"maxSkewSeconds":5}}}
      auth.secretOverlapSeconds        | {"auth":{"secretOverlapSeconds":60}}
      limits.subscriberBufferBytes     | {"limits":{"subscriberBufferBytes":8192}}
      sse.keepAliveSeconds             | {"sse":{"keepAliveSeconds":30}}
      reload.scanSeconds               | {"reload":{"scanSeconds":1}}
      log.level                        | {"log":{"level":"DEBUG"}}
      log.format                       | {"log":{"format":"json"}}
      """)
  void liveSettingIsTakenAndNamed(String paths, String edit) {
    SyncbusConfig next = edited(edit);
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), next);
    assertEquals(List.of(), reload.ignored());
    assertEquals(next, reload.effective());
    assertEquals(Arrays.asList(paths.split(" ")), reload.changed());
    assertEquals("changed " + paths.replace(" ", ", "), reload.summary());
  }

  @Test
  void queueKeepsWhatItsOwnerBuiltAndTakesItsSecretsAndRetention() {
    SyncbusConfig next = edited("""
        {"queues": {"presence": {"pk": "mac", "ttlSeconds": 5, "retain": {"batches": 7},
                                 "secrets": {"publish": "pub-9", "subscribe": "sub-9"}}}}""");
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), next);
    assertEquals(List.of("queues.presence.pk", "queues.presence.ttlSeconds"), reload.ignored());
    SyncbusConfig.Queue presence = reload.effective().queue("presence");
    assertEquals("login", presence.pk());
    assertEquals(SyncbusConfig.QueueType.EXPIRING, presence.type());
    assertEquals(Duration.ofSeconds(60), presence.ttl());
    assertEquals(new SyncbusConfig.Secrets("pub-9", "sub-9"), presence.secrets());
    assertEquals(7, presence.retain().batches());
    assertEquals(next.queue("default"), reload.effective().queue("default"));
  }

  @Test
  void restartOnlyAndLiveSettingsOfOneSectionAreSplit() {
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), edited("""
        {"http": {"port": 9000, "maxBodyBytes": 1048576},
         "auth": {"timeTokens": {"enabled": false, "ttlSeconds": 30}}}"""));
    assertEquals(List.of("http.port", "auth.timeTokens.enabled"), reload.ignored());
    assertEquals(new SyncbusConfig.Http("127.0.0.1", 8000, 1_048_576, List.of(), 60, 2, null), reload.effective().http());
    assertEquals(new SyncbusConfig.TimeTokens(true, 30, 120), reload.effective().timeTokens());
  }

  @Test
  void clusterSizeWaitsForARestart() {
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), edited("{\"cluster\": {\"members\": 5}}"));
    assertEquals(List.of("cluster.members"), reload.ignored());
    assertEquals(running().cluster(), reload.effective().cluster());
  }

  @Test
  void addedQueueIsAsInTheFileAndRemovedQueueIsGone() {
    JsonObject file = new JsonObject(RUNNING);
    JsonObject queues = file.getJsonObject("queues");
    queues.remove("presence");
    queues.put("rooms", new JsonObject().put("pk", "room").put("type", "expiring").put("ttlSeconds", 9)
        .put("secrets", new JsonObject().put("publish", "pub-3").put("subscribe", "sub-3")));
    SyncbusConfig next = SyncbusConfig.parse(file, Map.of());
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), next);
    assertEquals(List.of("rooms"), reload.added());
    assertEquals(List.of("presence"), reload.removed());
    assertEquals(List.of(), reload.ignored());
    assertEquals(List.of("default", "rooms"), List.copyOf(reload.effective().queues().keySet()));
    assertEquals(next.queue("rooms"), reload.effective().queue("rooms"));
    assertEquals(List.of(), reload.changed(), "a queue added or removed is not a setting changed");
    assertEquals("queues added [rooms]; queues removed [presence]", reload.summary());
  }

  @Test
  void summaryNamesTheSettingsChangedThenTheQueuesAddedNeverAValue() {
    JsonObject file = new JsonObject(RUNNING).mergeIn(new JsonObject("""
        {"auth": {"timeTokens": {"ttlSeconds": 30}},
         "queues": {"default": {"secrets": {"publish": "pub-secret-9"}, "limits": {"records": 10}}}}"""), true);
    file.getJsonObject("queues").put("rooms", new JsonObject().put("pk", "room")
        .put("secrets", new JsonObject().put("publish", "pub-3").put("subscribe", "sub-3")));
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), SyncbusConfig.parse(file, Map.of()));
    assertEquals("changed auth.timeTokens.ttlSeconds, queues.default.secrets.publish, queues.default.limits.records; "
        + "queues added [rooms]", reload.summary());
  }

  @Test
  void renamedQueueIsOneRemovedAndOneAddedWithNothingKept() {
    JsonObject file = new JsonObject(RUNNING);
    JsonObject queues = file.getJsonObject("queues");
    queues.put("presence2", queues.remove("presence")).getJsonObject("presence2").put("pk", "mac");
    SyncbusConfig next = SyncbusConfig.parse(file, Map.of());
    ReloadPolicy.Outcome reload = ReloadPolicy.apply(running(), next);
    assertEquals(List.of("presence2"), reload.added());
    assertEquals(List.of("presence"), reload.removed());
    assertEquals(List.of(), reload.ignored());
    assertEquals("mac", reload.effective().queue("presence2").pk());
  }
}
