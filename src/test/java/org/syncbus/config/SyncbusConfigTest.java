package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncbus.config.SyncbusConfig.BacklogType;
import org.syncbus.config.SyncbusConfig.QueueType;

/**
 * Configuration: defaults, the DESIGN.md example, and one row per validation rule, each checking
 * the exact message (the setting's path, what was expected, never a secret).
 */
class SyncbusConfigTest {
  private static final String PUB_SECRET = "pub-Very-Secret-123";
  private static final String SUB_SECRET = "sub-Very-Secret-456";
  /**
   * The DESIGN.md example listens on 0.0.0.0 with placeholder secrets, which a node refuses
   * ({@link ExposureTest}): its tests run it on loopback, as a developer would.
   */
  private static final Map<String, String> DESIGN_ENV = Map.of("PRESENCE_PUB", PUB_SECRET, "PRESENCE_SUB", SUB_SECRET,
      SyncbusConfig.ENV_HTTP_HOST, "127.0.0.1");

  /** Copied from DESIGN.md, "Configuration". */
  private static final String DESIGN_EXAMPLE = """
      {
        "http": { "host": "0.0.0.0", "port": 8000, "maxBodyBytes": 16777216 },
        "auth": { "timeTokens": { "enabled": true, "ttlSeconds": 120, "maxSkewSeconds": 120 } },
        "limits": { "subscriberBufferBytes": 4194304 },
        "log": { "level": "INFO" },
        "queues": {
          "default": {
            "pk": "id",
            "type": "keyed",
            "secrets": { "publish": "change-me-pub", "subscribe": "change-me-sub" },
            "backlog": { "type": "none" }
          },
          "presence": {
            "pk": "login", "type": "expiring", "ttlSeconds": 60,
            "secrets": { "publish": "${PRESENCE_PUB}", "subscribe": "${PRESENCE_SUB}" },
            "backlog": { "type": "none" }
          }
        }
      }
      """;

  /** The same configuration in YAML. */
  private static final String DESIGN_EXAMPLE_YAML = """
      http:
        host: 0.0.0.0
        port: 8000
        maxBodyBytes: 16777216
      auth:
        timeTokens:
          enabled: true
          ttlSeconds: 120
          maxSkewSeconds: 120
      limits:
        subscriberBufferBytes: 4194304
      log:
        level: INFO
      queues:
        default:
          pk: id
          type: keyed
          secrets:
            publish: change-me-pub
            subscribe: change-me-sub
          backlog:
            type: none
        presence:
          pk: login
          type: expiring
          ttlSeconds: 60
          secrets:
            publish: ${PRESENCE_PUB}
            subscribe: ${PRESENCE_SUB}
          backlog:
            type: none
      """;

  private static SyncbusConfig parse(String json) {
    return SyncbusConfig.parse(new JsonObject(json), Map.of());
  }

  private static SyncbusConfig parse(String json, Map<String, String> env) {
    return SyncbusConfig.parse(new JsonObject(json), env);
  }

  private static String refusal(String json) {
    return refusal(json, Map.of());
  }

  private static String refusal(String json, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> parse(json, env)).getMessage();
  }

  /** A configuration with one queue {@code q} whose settings are {@code queue}. */
  private static String oneQueue(JsonObject queue) {
    return new JsonObject().put("queues", new JsonObject().put("q", queue)).encode();
  }

  /** A configuration with one queue {@code q} whose settings are {@code queue} and valid secrets. */
  private static String oneQueueWithSecrets(String queue) {
    return oneQueue(new JsonObject(queue).put("secrets", new JsonObject().put("publish", "p").put("subscribe", "s")));
  }

  // --- defaults ------------------------------------------------------------------------------

  @Test
  void everySettingHasItsDefaultWhenAbsent() {
    SyncbusConfig config = parse("{}");
    assertEquals(SyncbusConfig.Http.DEFAULT_HOST, config.http().host());
    assertEquals(SyncbusConfig.Http.DEFAULT_PORT, config.http().port());
    assertEquals(SyncbusConfig.Http.DEFAULT_MAX_BODY_BYTES, config.http().maxBodyBytes());
    assertTrue(config.timeTokens().enabled());
    assertEquals(SyncbusConfig.TimeTokens.DEFAULT_TTL_SECONDS, config.timeTokens().ttlSeconds());
    assertEquals(SyncbusConfig.TimeTokens.DEFAULT_MAX_SKEW_SECONDS, config.timeTokens().maxSkewSeconds());
    assertEquals(SyncbusConfig.Limits.DEFAULT_SUBSCRIBER_BUFFER_BYTES, config.limits().subscriberBufferBytes());
    assertEquals(new SyncbusConfig.Log(SyncbusConfig.Log.DEFAULT_LEVEL, SyncbusConfig.LogFormat.TEXT), config.log());
    assertEquals(SyncbusConfig.Cluster.DEFAULT_MEMBERS, config.cluster().members());
    assertEquals(Map.of(), config.queues());
  }

  @Test
  void defaultsMatchTheDocumentedValues() {
    assertEquals("127.0.0.1", SyncbusConfig.Http.DEFAULT_HOST);
    assertEquals("127.0.0.1", SyncbusConfig.TcpBridge.DEFAULT_HOST);
    assertEquals(8000, SyncbusConfig.Http.DEFAULT_PORT);
    assertEquals(120, SyncbusConfig.TimeTokens.DEFAULT_TTL_SECONDS);
    assertEquals(120, SyncbusConfig.TimeTokens.DEFAULT_MAX_SKEW_SECONDS);
    assertEquals("INFO", SyncbusConfig.Log.DEFAULT_LEVEL);
    assertEquals(3, SyncbusConfig.Cluster.DEFAULT_MEMBERS);
  }

  @Test
  void aClusterWritesWithAStrictMajorityOfItsMembers() {
    assertEquals(List.of(1, 2, 2, 3, 3, 4, 7), List.of(1, 2, 3, 4, 5, 6, 13).stream()
        .map(members -> parse("{\"cluster\": {\"members\": " + members + "}}").cluster().majority())
        .toList());
  }

  @Test
  void emptySectionsTakeDefaults() {
    assertEquals(parse("{}"), parse("""
        {"http": {}, "auth": {"timeTokens": {}}, "limits": {}, "log": {}, "queues": {}}"""));
  }

  @Test
  void everyQueueSettingHasItsDefaultWhenAbsent() {
    SyncbusConfig.Queue queue = parse(oneQueueWithSecrets("""
        {"pk": "id"}""")).queue("q");
    assertEquals("q", queue.name());
    assertEquals("id", queue.pk());
    assertEquals(QueueType.KEYED, queue.type());
    assertNull(queue.ttl());
    assertEquals("p", queue.secrets().publish());
    assertEquals("s", queue.secrets().subscribe());
    SyncbusConfig.Backlog backlog = queue.backlog();
    assertEquals(BacklogType.NONE, backlog.type());
    assertNull(backlog.path());
    assertNull(backlog.url());
    assertEquals(Duration.ofMillis(SyncbusConfig.Backlog.DEFAULT_RETRY_INITIAL_MILLIS), backlog.retryInitial());
    assertEquals(Duration.ofMillis(SyncbusConfig.Backlog.DEFAULT_RETRY_MAX_MILLIS), backlog.retryMax());
    assertEquals(Duration.ofSeconds(SyncbusConfig.Backlog.DEFAULT_TIMEOUT_SECONDS), backlog.timeout());
  }

  @Test
  void queueLimitsDefaultToAMillionRecordsAnd256MiB() {
    SyncbusConfig.Queue queue = parse(oneQueueWithSecrets("""
        {"pk": "id"}""")).queue("q");
    assertEquals(new SyncbusConfig.QueueLimits(100_000, 64L * 1024 * 1024), queue.limits());
    assertEquals(new SyncbusConfig.QueueLimits(10, 4096), parse(oneQueueWithSecrets("""
        {"pk": "id", "limits": {"records": 10, "bytes": 4096}}""")).queue("q").limits());
  }

  @Test
  void idempotencyKeysDefaultToTheLast100000For600Seconds() {
    assertEquals(new SyncbusConfig.Idempotency(100_000, 600), parse(oneQueueWithSecrets("""
        {"pk": "id"}""")).queue("q").idempotency());
    assertEquals(new SyncbusConfig.Idempotency(10, 30), parse(oneQueueWithSecrets("""
        {"pk": "id", "idempotency": {"keys": 10, "seconds": 30}}""")).queue("q").idempotency());
  }

  @Test
  void metricsNeedAnAdminOnANodeListeningBeyondLoopbackUnlessSaidOtherwise() {
    assertTrue(parse("""
        {"http": {"host": "0.0.0.0"}, "queues": {}}""").metricsRequireAdmin());
    assertFalse(parse("""
        {"http": {"host": "127.0.0.1"}, "queues": {}}""").metricsRequireAdmin());
    assertFalse(parse("""
        {"http": {"host": "0.0.0.0"}, "metrics": {"requireAdmin": false}, "queues": {}}""").metricsRequireAdmin());
    assertTrue(parse("""
        {"http": {"host": "::1"}, "metrics": {"requireAdmin": true}, "queues": {}}""").metricsRequireAdmin());
  }

  @Test
  void theConsoleIsServedOnANodeListeningOnLoopbackOnlyUnlessSaidOtherwise() {
    assertFalse(parse("""
        {"http": {"host": "0.0.0.0"}, "queues": {}}""").consoleEnabled());
    assertTrue(parse("""
        {"http": {"host": "127.0.0.1"}, "queues": {}}""").consoleEnabled());
    assertTrue(parse("""
        {"http": {"host": "0.0.0.0"}, "console": {"enabled": true}, "queues": {}}""").consoleEnabled());
    assertFalse(parse("""
        {"http": {"host": "localhost"}, "console": {"enabled": false}, "queues": {}}""").consoleEnabled());
    assertEquals("console.enabled: expected true or false", refusal("""
        {"console": {"enabled": "yes"}, "queues": {}}"""));
  }

  @Test
  void anAdminTokenHasAtLeast16Bytes() {
    assertEquals("admin.token: at least 16 bytes (it is a password)", refusal("""
        {"admin": {"token": "short"}, "queues": {}}"""));
    assertEquals("0123456789abcdef", parse("""
        {"admin": {"token": "0123456789abcdef"}, "queues": {}}""").admin().token());
  }

  @Test
  void secretsAreOptionalWhenTokensAreDisabled() {
    SyncbusConfig config = parse("""
        {"auth": {"timeTokens": {"enabled": false}}, "queues": {"q": {"pk": "id"}}}""");
    assertFalse(config.timeTokens().enabled());
    assertEquals("", config.queue("q").secrets().publish());
    assertEquals("", config.queue("q").secrets().subscribe());
  }

  @Test
  void secretsAreNeverPrinted() {
    SyncbusConfig config = parse(DESIGN_EXAMPLE, DESIGN_ENV);
    String text = config.toString();
    assertFalse(text.contains(PUB_SECRET), text);
    assertFalse(text.contains(SUB_SECRET), text);
    assertFalse(text.contains("change-me-pub"), text);
  }

  // --- the DESIGN.md example -----------------------------------------------------------------

  @Test
  void designExampleParses() {
    SyncbusConfig config = parse(DESIGN_EXAMPLE, DESIGN_ENV);
    assertEquals(new SyncbusConfig.Http("127.0.0.1", 8000, 16_777_216L, List.of(), 60, 2, null), config.http());
    assertEquals(new SyncbusConfig.TimeTokens(true, 120, 120), config.timeTokens());
    assertEquals(new SyncbusConfig.Limits(4_194_304L, SyncbusConfig.Limits.AUTOMATIC, 0, 10, 4096, SyncbusConfig.Limits.AUTOMATIC), config.limits());
    assertEquals("INFO", config.log().level());
    assertEquals(List.of("default", "presence"), List.copyOf(config.queues().keySet()));

    SyncbusConfig.Queue queue = config.queue("default");
    assertEquals("id", queue.pk());
    assertEquals(QueueType.KEYED, queue.type());
    assertNull(queue.ttl());
    assertEquals(new SyncbusConfig.Secrets("change-me-pub", "change-me-sub"), queue.secrets());
    assertEquals(BacklogType.NONE, queue.backlog().type());

    SyncbusConfig.Queue presence = config.queue("presence");
    assertEquals("login", presence.pk());
    assertEquals(QueueType.EXPIRING, presence.type());
    assertEquals(Duration.ofSeconds(60), presence.ttl());
    assertEquals(PUB_SECRET, presence.secrets().publish());
    assertEquals(SUB_SECRET, presence.secrets().subscribe());
    assertEquals(BacklogType.NONE, presence.backlog().type());
  }

  @Test
  void fileAndHttpBacklogsParse() {
    SyncbusConfig config = parse("""
        {"queues": {
          "f": {"pk": "id", "secrets": {"publish": "p", "subscribe": "s"},
                "backlog": {"type": "file", "path": "data/f.json"}},
          "h": {"pk": "id", "secrets": {"publish": "p", "subscribe": "s"},
                "backlog": {"type": "http", "url": "https://mdb/api",
                            "retryInitialMillis": 100, "retryMaxMillis": 5000, "timeoutSeconds": 7}}}}""");
    SyncbusConfig.Backlog file = config.queue("f").backlog();
    assertEquals(BacklogType.FILE, file.type());
    assertEquals("data/f.json", file.path());
    SyncbusConfig.Backlog http = config.queue("h").backlog();
    assertEquals(BacklogType.HTTP, http.type());
    assertEquals("https://mdb/api", http.url());
    assertEquals(Duration.ofMillis(100), http.retryInitial());
    assertEquals(Duration.ofMillis(5000), http.retryMax());
    assertEquals(Duration.ofSeconds(7), http.timeout());
  }

  @Test
  void logLevelIsCaseInsensitive() {
    assertEquals("DEBUG", parse("""
        {"log": {"level": "debug"}}""").log().level());
  }

  @Test
  void logFormatIsTextOrJson() {
    assertEquals(SyncbusConfig.LogFormat.JSON, parse("""
        {"log": {"format": "json"}}""").log().format());
    assertEquals(SyncbusConfig.LogFormat.TEXT, parse("""
        {"log": {"format": "text"}}""").log().format());
  }

  // --- errors name the setting's path --------------------------------------------------------

  /**
   * One row per rule on a whole file: what is refused, and the exact message, which names the
   * setting's path (and never a secret's value).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a misspelt top-level setting     | {"htpp":{}}                                | htpp: unknown setting (did you mean http?)
      an unknown top-level setting     | {"colour":{}}                              | colour: unknown setting
      a misspelt http setting          | {"http":{"colour":80}}                     | http.colour: unknown setting
      a misspelt time-token setting    | {"auth":{"timeTokens":{"ttl":5}}}          | auth.timeTokens.ttl: unknown setting
      a misspelt auth setting          | {"auth":{"secret":"x"}}                    | auth.secret: unknown setting
      a misspelt limit                 | {"limits":{"max":1}}                       | limits.max: unknown setting
      a misspelt log setting           | {"log":{"file":"x"}}                       | log.file: unknown setting
      a port as a string               | {"http":{"port":"8000"}}                   | http.port: expected a whole number
      a fractional port                | {"http":{"port":80.5}}                     | http.port: expected a whole number
      a port out of range              | {"http":{"port":70000}}                    | http.port: must be between 0 and 65535, got 70000
      a host as a number               | {"http":{"host":5}}                        | http.host: expected a string
      an IPv4 address out of range     | {"http":{"host":"256.1.1.1"}}              | http.host: 256.1.1.1 is not an IPv4 address
      an empty host                    | {"http":{"host":""}}                       | http.host: must not be empty
      a host with a reference in it    | {"http":{"host":"x${HOST}"}}               | http.host: expected an IP address or a host name, got "x${HOST}"
      a bridge host that is no address | {"bridges":{"tcp":{"host":"1.2.3"}}}       | bridges.tcp.host: 1.2.3 is not an IPv4 address
      a misspelling of a known setting | {"http":{"prot":80}}                       | http.prot: unknown setting (did you mean port?)
      a known setting in another case  | {"http":{"Port":80}}                       | http.Port: unknown setting (did you mean port?)
      an optional section misspelt     | {"http":{"tsl":{}}}                        | http.tsl: unknown setting (did you mean tls?)
      a flag as a string               | {"auth":{"timeTokens":{"enabled":"false"}}} | auth.timeTokens.enabled: expected true or false
      a section as a number            | {"http":8000}                              | http: expected an object
      the queues as an array           | {"queues":[]}                              | queues: expected an object
      a queue as a string              | {"queues":{"q":"id"}}                      | queues.q: expected an object
      a queue name with a slash        | {"queues":{"bad/name":{"pk":"id"}}}        | queues.bad/name: bad queue name (expected 1 to 64 of A-Z a-z 0-9 _ -)
      an empty queue name              | {"queues":{"":{"pk":"id"}}}                | queues.: bad queue name (expected 1 to 64 of A-Z a-z 0-9 _ -)
      an unknown log level             | {"log":{"level":"LOUD"}}                   | log.level: expected one of [TRACE, DEBUG, INFO, WARN, ERROR, OFF], got LOUD
      an unknown log format            | {"log":{"format":"xml"}}                   | log.format: expected "text" or "json", got "xml"
      a subscriber buffer below 1 KiB  | {"limits":{"subscriberBufferBytes":10}}    | limits.subscriberBufferBytes: must be between 1024 and 9223372036854775807, got 10
      console sessions of no minute    | {"console":{"sessionMinutes":0}}          | console.sessionMinutes: must be between 1 and 1440, got 0
      a cluster of no member           | {"cluster":{"members":0}}                  | cluster.members: must be between 1 and 13, got 0
      a cluster beyond Hazelcast's backups | {"cluster":{"members":14}}             | cluster.members: must be between 1 and 13, got 14
      a misspelt cluster setting       | {"cluster":{"size":3}}                     | cluster.size: unknown setting
      every origin allowed, with "*"   | {"http":{"cors":{"allowedOrigins":["https://a.example","*"]}}} | http.cors.allowedOrigins[1]: "*" is not accepted: list each origin, e.g. "https://app.example.com"
      """)
  void refusedNamingTheSetting(String rule, String json, String message) {
    assertEquals(message, refusal(json));
  }

  /**
   * One row per rule on a queue's settings (queue {@code q}, given valid secrets): what is refused,
   * and the exact message, naming the setting's path.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a queue without pk                     | {}                                                   | queues.q.pk: missing
      an empty pk                            | {"pk":""}                                            | queues.q.pk: must not be empty
      a pk as a number                       | {"pk":1}                                             | queues.q.pk: expected a string
      an unknown queue type                  | {"pk":"id","type":"fifo"}                            | queues.q.type: unknown queue type "fifo" (expected "keyed" or "expiring")
      an expiring queue without ttl          | {"pk":"id","type":"expiring"}                        | queues.q.ttlSeconds: missing (required by type "expiring")
      an expiring queue with a misspelt ttl  | {"pk":"id","type":"expiring","ttlSecond":5}          | queues.q.ttlSecond: unknown setting (did you mean ttlSeconds?)
      a keyed queue with a misspelt ttl      | {"pk":"id","ttlSecond":5}                            | queues.q.ttlSecond: unknown setting (did you mean ttlSeconds?)
      a misspelt pk                          | {"PK":"id"}                                          | queues.q.PK: unknown setting (did you mean pk?)
      a pk spelt as an unrelated key         | {"id":"id"}                                          | queues.q.pk: missing
      a misspelt backlog path                | {"pk":"id","backlog":{"type":"file","pth":"x"}}      | queues.q.backlog.pth: unknown setting (did you mean path?)
      an expiring queue with a zero ttl      | {"pk":"id","type":"expiring","ttlSeconds":0}         | queues.q.ttlSeconds: must be between 1 and 31536000, got 0
      a ttl on a keyed queue                 | {"pk":"id","ttlSeconds":5}                           | queues.q.ttlSeconds: only for type "expiring"
      a misspelt queue setting               | {"pk":"id","colour":"red"}                           | queues.q.colour: unknown setting
      an unknown backlog type                | {"pk":"id","backlog":{"type":"ftp"}}                 | queues.q.backlog.type: unknown backlog type "ftp" (expected "none", "file" or "http")
      a file backlog without path            | {"pk":"id","backlog":{"type":"file"}}                | queues.q.backlog.path: missing
      an http backlog without url            | {"pk":"id","backlog":{"type":"http"}}                | queues.q.backlog.url: missing
      an http backlog without an http scheme | {"pk":"id","backlog":{"type":"http","url":"ftp://x"}} | queues.q.backlog.url: expected an http:// or https:// URL
      a retry maximum below its initial      | {"pk":"id","backlog":{"retryInitialMillis":1000,"retryMaxMillis":10}} | queues.q.backlog.retryMaxMillis: must be between 1000 and 3600000, got 10
      a misspelt backlog setting             | {"pk":"id","backlog":{"file":"x"}}                   | queues.q.backlog.file: unknown setting
      a record bound of 0                    | {"pk":"id","limits":{"records":0}}                   | queues.q.limits.records: must be between 1 and 2147483647, got 0
      a byte bound of 0                      | {"pk":"id","limits":{"bytes":0}}                     | queues.q.limits.bytes: must be between 1 and 9223372036854775807, got 0
      a misspelt queue limit                 | {"pk":"id","limits":{"size":5}}                      | queues.q.limits.size: unknown setting
      no idempotency keys                    | {"pk":"id","idempotency":{"keys":0}}                 | queues.q.idempotency.keys: must be between 1 and 10000000, got 0
      a key window over a week               | {"pk":"id","idempotency":{"seconds":604801}}         | queues.q.idempotency.seconds: must be between 1 and 604800, got 604801
      a misspelt idempotency setting         | {"pk":"id","idempotency":{"ttl":5}}                  | queues.q.idempotency.ttl: unknown setting
      """)
  void queueRefusedNamingTheSetting(String rule, String queue, String message) {
    assertEquals(message, refusal(oneQueueWithSecrets(queue)));
  }

  /**
   * One row per rule on a queue's secrets (queue {@code q}, time tokens enabled): what is refused,
   * and the exact message, which names the secret but never holds its value.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no secrets                          | {"pk":"id"}                                                        | queues.q.secrets.publish: missing
      no subscribe secret                 | {"pk":"id","secrets":{"publish":"p"}}                              | queues.q.secrets.subscribe: missing
      secrets as a string                 | {"pk":"id","secrets":"p"}                                          | queues.q.secrets: expected an object
      a secret as a number                | {"pk":"id","secrets":{"publish":987654321,"subscribe":"s"}}        | queues.q.secrets.publish: expected a string
      a misspelt secret                   | {"pk":"id","secrets":{"publish":"p","subscribe":"s","admin":"a"}}  | queues.q.secrets.admin: unknown setting
      a misspelt required secret          | {"pk":"id","secrets":{"publsh":"p","subscribe":"s"}}               | queues.q.secrets.publsh: unknown setting (did you mean publish?)
      an empty fallback of a needed secret | {"pk":"id","secrets":{"publish":"${PUB:-}","subscribe":"s"}}      | queues.q.secrets.publish: must not be empty
      """)
  void secretRefusedNamingItWithoutItsValue(String rule, String queue, String message) {
    assertEquals(message, refusal(oneQueue(new JsonObject(queue))));
  }

  @Test
  void overlongQueueNameIsRefused() {
    String name = "q".repeat(65);
    assertEquals("queues." + name + ": bad queue name (expected 1 to 64 of A-Z a-z 0-9 _ -)",
        refusal(new JsonObject().put("queues", new JsonObject().put(name, new JsonObject().put("pk", "id"))).encode()));
  }

  @Test
  void undefinedEnvironmentVariableIsNamedWithoutAnySecret() {
    Map<String, String> env = Map.of("PRESENCE_PUB", PUB_SECRET); // PRESENCE_SUB is not set
    String message = refusal(DESIGN_EXAMPLE, env);
    assertTrue(message.contains("queues.presence.secrets.subscribe"), message);
    assertTrue(message.contains("PRESENCE_SUB"), message);
    assertFalse(message.contains(PUB_SECRET), message);
    assertFalse(message.contains("change-me-pub"), message);
    assertFalse(message.contains("change-me-sub"), message);
  }

  @Test
  void undefinedEnvironmentVariableIsNamedWhenNoneIsSet() {
    String message = refusal(DESIGN_EXAMPLE, Map.of());
    assertEquals("queues.presence.secrets.publish: environment variable PRESENCE_PUB is not defined", message);
  }

  @Test
  void environmentFallbackIsUsedWhenTheVariableIsUnset() {
    SyncbusConfig.Queue queue = parse(oneQueue(new JsonObject("""
        {"pk": "${PK_FIELD:-mac}", "secrets": {"publish": "${PUB:-dev-pub}", "subscribe": "${SUB:-dev-sub}"}}"""
    ))).queue("q");
    assertEquals("mac", queue.pk());
    assertEquals("dev-pub", queue.secrets().publish());
    assertEquals("dev-sub", queue.secrets().subscribe());
  }

  @Test
  void environmentValueWinsOverTheFallback() {
    String json = oneQueue(new JsonObject("""
        {"pk": "id", "secrets": {"publish": "${PUB:-dev-pub}", "subscribe": "s"}}"""));
    assertEquals("from-env", parse(json, Map.of("PUB", "from-env")).queue("q").secrets().publish());
  }

  @Test
  void textAroundAReferenceIsLiteral() {
    String json = """
        {"log": {"level": "x${LEVEL}"}}""";
    assertEquals("log.level: expected one of [TRACE, DEBUG, INFO, WARN, ERROR, OFF], got X${LEVEL}",
        refusal(json, Map.of("LEVEL", "INFO")));
  }

  @Test
  void httpPortOverrideFromTheEnvironment() {
    SyncbusConfig config = parse(DESIGN_EXAMPLE, Map.of("PRESENCE_PUB", "a", "PRESENCE_SUB", "b",
        SyncbusConfig.ENV_HTTP_HOST, "127.0.0.1", SyncbusConfig.ENV_HTTP_PORT, "9001"));
    assertEquals(9001, config.http().port());
    assertEquals(0, parse("{}", Map.of("SYNCBUS_HTTP_PORT", "0")).http().port());
  }

  @Test
  void httpHostOverrideFromTheEnvironment() {
    assertEquals("::1", parse("""
        {"http": {"host": "0.0.0.0"}}""", Map.of(SyncbusConfig.ENV_HTTP_HOST, "::1")).http().host());
    assertEquals("0.0.0.0", parse("{}", Map.of(SyncbusConfig.ENV_HTTP_HOST, "0.0.0.0")).http().host());
  }

  @ParameterizedTest(name = "SYNCBUS_HTTP_HOST={0}")
  @CsvSource(delimiter = '|', textBlock = """
      256.1.1.1      | SYNCBUS_HTTP_HOST: 256.1.1.1 is not an IPv4 address
      127.1          | SYNCBUS_HTTP_HOST: 127.1 is not an IPv4 address
      ::1::2         | SYNCBUS_HTTP_HOST: ::1::2 is not an IPv6 address
      a host         | SYNCBUS_HTTP_HOST: expected an IP address or a host name, got "a host"
      """)
  void httpHostOverrideThatIsNotAHostIsRefused(String value, String message) {
    assertEquals(message, refusal("{}", Map.of(SyncbusConfig.ENV_HTTP_HOST, value)));
  }

  @ParameterizedTest(name = "SYNCBUS_HTTP_PORT={0}")
  @ValueSource(strings = {"eighty", "65536", "-1"})
  void httpPortOverrideThatIsNotAPortIsRefused(String value) {
    assertEquals("SYNCBUS_HTTP_PORT: expected a port number (0-65535)",
        refusal("{}", Map.of("SYNCBUS_HTTP_PORT", value)));
  }

  @Test
  void parsedConfigurationIsImmutable() {
    SyncbusConfig config = parse(DESIGN_EXAMPLE, DESIGN_ENV);
    assertThrows(UnsupportedOperationException.class, () -> config.queues().remove("default"));
  }

  // --- ConfigFile ----------------------------------------------------------------------------

  private static String fileRefusal(String path, String text) {
    return assertThrows(ConfigException.class, () -> ConfigFile.parse(path, Buffer.buffer(text))).getMessage();
  }

  @Test
  void jsonAndYamlFilesGiveTheSameConfiguration() {
    JsonObject json = ConfigFile.parse("conf/syncbus.json", Buffer.buffer(DESIGN_EXAMPLE));
    JsonObject yaml = ConfigFile.parse("conf/syncbus.yaml", Buffer.buffer(DESIGN_EXAMPLE_YAML));
    JsonObject yml = ConfigFile.parse("conf/SYNCBUS.YML", Buffer.buffer(DESIGN_EXAMPLE_YAML));
    SyncbusConfig fromJson = SyncbusConfig.parse(json, DESIGN_ENV);
    SyncbusConfig fromYaml = SyncbusConfig.parse(yaml, DESIGN_ENV);
    assertEquals(fromJson, fromYaml);
    assertEquals(fromJson, SyncbusConfig.parse(yml, DESIGN_ENV));
    assertEquals(parse(DESIGN_EXAMPLE, DESIGN_ENV), fromJson);
    assertEquals(Duration.ofSeconds(60), fromYaml.queue("presence").ttl());
    assertEquals(PUB_SECRET, fromYaml.queue("presence").secrets().publish());
  }

  @Test
  void invalidJsonNamesTheFileAndLineButNotTheText() {
    String secret = "hunter2-Do-Not-Log";
    String text = "{\n  \"http\": {},\n  \"queues\": {\"q\": {\"secrets\": {\"publish\": \"" + secret + "\" \"subscribe\": 1}}}\n}\n";
    String message = fileRefusal("conf/syncbus.json", text);
    assertTrue(message.startsWith("conf/syncbus.json: "), message);
    assertTrue(message.contains("line 3"), message);
    assertFalse(message.contains(secret), message);
    assertFalse(message.contains("hunter2"), message);
  }

  @Test
  void invalidBareWordInJsonDoesNotLeakIt() {
    String secret = "hunter2DoNotLog";
    String message = fileRefusal("conf/syncbus.json", "{\n\"a\": " + secret + "\n}");
    assertTrue(message.startsWith("conf/syncbus.json: "), message);
    assertTrue(message.contains("line 2"), message);
    assertFalse(message.contains(secret), message);
  }

  @Test
  void trailingTextAfterTheJsonObjectIsInvalid() {
    String secret = "hunter2-trailing";
    String message = fileRefusal("conf/syncbus.json", "{\"http\": {}}\n}\n\"" + secret + "\"\n");
    assertTrue(message.startsWith("conf/syncbus.json: "), message);
    assertTrue(message.contains("line 2"), message);
    assertFalse(message.contains(secret), message);
  }

  @Test
  void invalidYamlNamesTheFileAndLineButNotTheText() {
    String secret = "hunter2-Do-Not-Log";
    String text = "queues:\n  q:\n\tpk: id\n    secrets: {publish: " + secret + "}\n";
    String message = fileRefusal("conf/syncbus.yaml", text);
    assertTrue(message.startsWith("conf/syncbus.yaml: "), message);
    assertTrue(message.contains("line 3"), message);
    assertFalse(message.contains(secret), message);
  }

  @Test
  void unterminatedYamlStringDoesNotLeakIt() {
    String secret = "hunter2-Do-Not-Log";
    String text = "log:\n  level: INFO\nqueues:\n  q:\n    secrets: {publish: \"" + secret + "\n";
    String message = fileRefusal("conf/syncbus.yml", text);
    assertTrue(message.startsWith("conf/syncbus.yml: not valid YAML"), message);
    assertFalse(message.contains(secret), message);
    assertFalse(message.contains("hunter2"), message);
  }

  @Test
  void emptyFileIsRefused() {
    assertEquals("conf/syncbus.json: empty", fileRefusal("conf/syncbus.json", ""));
    assertEquals("conf/syncbus.json: empty", fileRefusal("conf/syncbus.json", " \n\t\n"));
    assertEquals("conf/syncbus.yaml: empty", fileRefusal("conf/syncbus.yaml", ""));
  }

  @Test
  void fileWhoseTopLevelIsNotAnObjectIsRefused() {
    assertTrue(fileRefusal("conf/syncbus.json", "[{\"http\":{}}]").startsWith("conf/syncbus.json: expected"));
    assertTrue(fileRefusal("conf/syncbus.yaml", "- http\n- queues\n").startsWith("conf/syncbus.yaml: expected"));
    assertTrue(fileRefusal("conf/syncbus.yaml", "just a string\n").startsWith("conf/syncbus.yaml: expected"));
  }

  @Test
  void yamlFileIsNotReadAsJson() {
    // Extension decides: YAML text in a .json file is a JSON error, not silently accepted.
    String message = fileRefusal("conf/syncbus.json", "http:\n  port: 8000\n");
    assertTrue(message.startsWith("conf/syncbus.json: not valid JSON"), message);
  }
}
