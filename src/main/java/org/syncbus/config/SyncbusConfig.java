package org.syncbus.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node's configuration: an immutable, validated snapshot of {@code conf/syncbus.json} (README,
 * "Configuration", documents every key). Built only by {@link #parse}, which either returns a whole
 * valid configuration or throws a {@link ConfigException} naming the first bad setting.
 *
 * <p>"Valid" means usable as it is: a JWT key's public key is read here ({@link PemPublicKey}), not
 * first by the verifier, so that a reload swaps in a configuration whose every part works, or
 * nothing (README, "Reloading the configuration"). Which of its settings a reload may apply is
 * decided by {@link ReloadPolicy}.
 *
 * <p>"Valid" also means safe where it listens: a configuration that would open the node beyond this
 * machine without authentication, or with secrets anyone can guess, is refused ({@link Exposure}).
 * Every address defaults to loopback, so a node is reachable from the network only once its file
 * (or {@value #ENV_HTTP_HOST}) says so.
 */
public record SyncbusConfig(Http http, TimeTokens timeTokens, Jwt jwt, long secretOverlapSeconds, Limits limits,
                            Sse sse, Bridges bridges, Reload reload, Cluster cluster, Log log,
                            Metrics metrics, Admin admin, Console console, Map<String, Queue> queues) {
  public static final String ENV_HTTP_HOST = "SYNCBUS_HTTP_HOST";
  public static final String ENV_HTTP_PORT = "SYNCBUS_HTTP_PORT";
  public static final String ENV_BRIDGE_TCP_PORT = "SYNCBUS_BRIDGE_TCP_PORT";
  public static final Pattern QUEUE_NAME = Pattern.compile(org.syncbus.contract.Addresses.QUEUE_NAME);
  /** A list, not a set: the refusal lists them, always in this order. */
  private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /**
   * The HTTP port.
   *
   * @param idleTimeoutSeconds how long a keep-alive connection may wait, between requests, for the
   *     next one; streams ({@code /poll}, {@code /events}) are never idle
   * @param coalesceMillis how long a queue's batches may wait to share a write to each subscriber
   *     when they come faster than one per this interval (0: every batch written at once); a batch
   *     after a quiet interval is written at once
   */
  public record Http(String host, int port, long maxBodyBytes, List<String> allowedOrigins, long idleTimeoutSeconds,
                     long coalesceMillis, Tls tls) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
    public static final long DEFAULT_COALESCE_MILLIS = 2;

    Http withHost(String value) {
      return new Http(value, port, maxBodyBytes, allowedOrigins, idleTimeoutSeconds, coalesceMillis, tls);
    }

    Http withPort(int value) {
      return new Http(host, value, maxBodyBytes, allowedOrigins, idleTimeoutSeconds, coalesceMillis, tls);
    }

    Http withAllowedOrigins(List<String> value) {
      return new Http(host, port, maxBodyBytes, value, idleTimeoutSeconds, coalesceMillis, tls);
    }

    Http withTls(Tls value) {
      return new Http(host, port, maxBodyBytes, allowedOrigins, idleTimeoutSeconds, coalesceMillis, value);
    }
  }

  /** One key that signs JWTs: a shared secret (HS*) or a public key in PEM (RS*, ES*, PS*). */
  public record JwtKey(String algorithm, String secret, String publicKey) {
    @Override
    public String toString() {
      return "JwtKey[" + algorithm + "]";
    }
  }

  /**
   * JWT verification: several keys at once (rotation); issuer and audience checked when set.
   *
   * @param requireExp whether a token must carry a numeric {@code exp} (a token without one would
   *     be valid for ever)
   */
  public record Jwt(List<JwtKey> keys, String issuer, String audience, boolean requireExp) {
    public boolean enabled() {
      return !keys.isEmpty();
    }
  }

  /**
   * {@code GET /metrics}, Prometheus text (README, "Metrics and health").
   *
   * @param requireAdmin whether a scrape needs an admin credential ({@link Admin}); null when the
   *     file does not say ({@link SyncbusConfig#metricsRequireAdmin()} decides)
   */
  public record Metrics(boolean enabled, Boolean requireAdmin) {}

  /**
   * Whether {@code /metrics} needs an admin credential: as {@code metrics.requireAdmin} says, else
   * when {@code http.host} (the one the node listens on) is not a loopback address.
   */
  public boolean metricsRequireAdmin() {
    return metrics.requireAdmin() != null ? metrics.requireAdmin() : !Hosts.isLoopback(http.host());
  }

  /**
   * The console in the browser, {@code GET /console/} (README, "Console").
   *
   * @param enabled whether the node serves it; null when the file does not say
   *     ({@link SyncbusConfig#consoleEnabled()} decides)
   * @param sessionMinutes how long a login lasts: its cookie, then a new login
   */
  public record Console(Boolean enabled, long sessionMinutes) {
    public static final long DEFAULT_SESSION_MINUTES = 30;

    public Duration sessionLifetime() {
      return Duration.ofMinutes(sessionMinutes);
    }
  }

  /**
   * Whether the node serves the console: as {@code console.enabled} says, else when
   * {@code http.host} is a loopback address (only this machine can reach it, and an admin
   * credential is still needed to see anything).
   */
  public boolean consoleEnabled() {
    return console.enabled() != null ? console.enabled() : Hosts.isLoopback(http.host());
  }

  /**
   * The admin credential: {@code Authorization: Bearer TOKEN} with this token (at least 16 bytes),
   * or a JWT whose {@code syncbus} claim grants {@code admin} on {@code *}. Null when not set.
   */
  public record Admin(String token) {
    public static final int MIN_TOKEN_BYTES = 16;

    @Override
    public String toString() {
      return "Admin[" + (token == null ? "no token" : "token hidden") + "]";
    }
  }

  /** Whether a TLS port asks its clients for a certificate. */
  public enum ClientAuth { NONE, REQUEST, REQUIRED }

  /**
   * TLS on a port, from PEM files, re-read when they change; null where the port speaks plain TCP.
   * A client certificate, when asked for, authenticates the connection only: rights come from tokens.
   *
   * @param clientCaPath the CA that client certificates must chain to; required unless
   *     {@code clientAuth} is {@code none}
   */
  public record Tls(String certPath, String keyPath, String clientCaPath, ClientAuth clientAuth) {
    /** The path of the HTTP port's TLS settings. */
    public static final String HTTP = "http.tls";
    /** The path of the TCP bridge's TLS settings. */
    public static final String BRIDGE_TCP = "bridges.tcp.tls";
  }

  /**
   * The TCP bridge.
   *
   * @param maxConnectionsPerAddress connections at once from one client address; 0 for no limit
   *     beyond {@code limits.maxConnectionsPerAddress}
   */
  public record TcpBridge(boolean enabled, String host, int port, long maxConnectionsPerAddress, Tls tls) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7000;
  }

  public record SockJsBridge(boolean enabled, String path) {
    public static final String DEFAULT_PATH = "/eventbus";
  }

  /**
   * The event-bus bridges.
   *
   * @param maxFrameBytes the largest frame a bridge client may send (inbound only)
   * @param maxRegistrationsPerConnection addresses one bridge connection may register on
   */
  public record Bridges(TcpBridge tcp, SockJsBridge sockjs, long maxFrameBytes, int maxRegistrationsPerConnection) {
    public static final long DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_REGISTRATIONS_PER_CONNECTION = 64;

    Bridges withTcp(TcpBridge value) {
      return new Bridges(value, sockjs, maxFrameBytes, maxRegistrationsPerConnection);
    }

    Bridges withSockjs(SockJsBridge value) {
      return new Bridges(tcp, value, maxFrameBytes, maxRegistrationsPerConnection);
    }
  }

  public record TimeTokens(boolean enabled, long ttlSeconds, long maxSkewSeconds) {
    public static final long DEFAULT_TTL_SECONDS = 120;
    public static final long DEFAULT_MAX_SKEW_SECONDS = 120;

    TimeTokens withEnabled(boolean value) {
      return new TimeTokens(value, ttlSeconds, maxSkewSeconds);
    }
  }

  /**
   * What the node lets clients use (README, "Limits").
   *
   * @param maxConnections connections open at once on every port of the node together;
   *     {@link #AUTOMATIC} for the open-files limit minus a reserve
   * @param maxConnectionsPerAddress the same per client address; 0 for no limit (clients behind
   *     one NAT share an address)
   * @param headerTimeoutSeconds how long a new connection may take to send its request's headers
   * @param minBodyBytesPerSecond the slowest a request body may arrive, measured over windows
   * @param bufferedBodyBytes request bodies held in memory at once, node-wide; {@link #AUTOMATIC}
   *     for a quarter of the maximum heap
   */
  public record Limits(long subscriberBufferBytes, long maxConnections, long maxConnectionsPerAddress,
                       long headerTimeoutSeconds, long minBodyBytesPerSecond, long bufferedBodyBytes) {
    public static final long DEFAULT_SUBSCRIBER_BUFFER_BYTES = 4L * 1024 * 1024;
    /** A bound the node works out from the machine when it starts. */
    public static final long AUTOMATIC = -1;
    public static final long DEFAULT_HEADER_TIMEOUT_SECONDS = 10;
    public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 4096;
  }

  /** How the configuration file is watched. */
  public record Reload(long scanSeconds) {
    public static final long DEFAULT_SCAN_SECONDS = 5;
  }

  public static final long DEFAULT_SECRET_OVERLAP_SECONDS = 0;

  /**
   * The cluster a clustered node belongs to (README, "Cluster"); read once at start.
   *
   * @param members how many nodes the cluster is meant to have: a side of a split cluster writes
   *     only while it holds a strict majority of them; 1 runs without that protection
   */
  public record Cluster(int members) {
    public static final int DEFAULT_MEMBERS = 3;
    /** Hazelcast keeps at most this many backups of an entry, so a majority needs no more nodes. */
    public static final int MAX_MEMBERS = 13;

    /** The fewest members a side of the cluster needs to write: a strict majority of {@code members}. */
    public int majority() {
      return members / 2 + 1;
    }
  }

  /**
   * The node's log (README, "Running"): how much of it, and in what form. Both apply again on
   * every reload.
   *
   * @param level one of {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR},
   *     {@code OFF}
   * @param format every record one line of text, or one JSON object per line
   */
  public record Log(String level, LogFormat format) {
    public static final String DEFAULT_LEVEL = "INFO";
  }

  public enum LogFormat { TEXT, JSON }

  public record Sse(long keepAliveSeconds) {
    public static final long DEFAULT_KEEP_ALIVE_SECONDS = 15;
  }

  /** The bounded log of recent batches a queue keeps for clients that resume ({@code since=}). */
  public record Retain(int batches, long bytes) {
    public static final int DEFAULT_BATCHES = 10_000;
    public static final long DEFAULT_BYTES = 64L * 1024 * 1024;
  }

  /**
   * How large a queue's backlog may grow (README, "Limits"): its owner refuses a batch that would
   * take it past either bound, applying nothing of it ({@code Refusal.QUEUE_FULL}).
   *
   * @param records records in the backlog
   * @param bytes the records' encoded bytes, each as its update element in a snapshot
   *     ({@code {"type":"update","data":…}}); the heap they take is a few times that (README,
   *     "Sizing the heap")
   */
  public record QueueLimits(long records, long bytes) {
    public static final long DEFAULT_RECORDS = 100_000;
    public static final long DEFAULT_BYTES = 64L * 1024 * 1024;
  }

  /**
   * How long a queue remembers the idempotency keys of its batches (README, "Exactly once"): the
   * last {@code keys} keys, each for {@code seconds} after its batch was applied. A retry within
   * both is answered as the original was; after, it is applied as a new batch.
   */
  public record Idempotency(int keys, long seconds) {
    public static final int DEFAULT_KEYS = 100_000;
    public static final long DEFAULT_SECONDS = 600;

    public long windowMillis() {
      return seconds * 1000;
    }
  }

  public enum QueueType { KEYED, EXPIRING }

  public enum BacklogType { NONE, FILE, HTTP }

  public record Secrets(String publish, String subscribe) {
    @Override
    public String toString() {
      return "Secrets[hidden]";
    }
  }

  /** Where a queue's initial backlog comes from, and how loading it is retried. */
  public record Backlog(BacklogType type, String path, String url, Duration retryInitial,
                        Duration retryMax, Duration timeout) {
    public static final long DEFAULT_RETRY_INITIAL_MILLIS = 500;
    public static final long DEFAULT_RETRY_MAX_MILLIS = 30_000;
    public static final long DEFAULT_TIMEOUT_SECONDS = 30;

    /** Where the backlog is read from, for log lines. */
    public String describe() {
      return switch (type) {
        case NONE -> "none";
        case FILE -> "file " + path;
        case HTTP -> redacted(url);
      };
    }

    /** A URL without what may carry credentials: user info and query. */
    private static String redacted(String url) {
      try {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
            + (uri.getRawPath() == null ? "" : uri.getRawPath()) + (uri.getRawQuery() == null ? "" : "?…");
      } catch (IllegalArgumentException e) {
        return "an http source";
      }
    }
  }

  public record Queue(String name, String pk, QueueType type, Duration ttl, Secrets secrets, Backlog backlog,
                      Retain retain, QueueLimits limits, Idempotency idempotency) {
    Queue withPk(String value) {
      return new Queue(name, value, type, ttl, secrets, backlog, retain, limits, idempotency);
    }

    Queue withType(QueueType value) {
      return new Queue(name, pk, value, ttl, secrets, backlog, retain, limits, idempotency);
    }

    Queue withTtl(Duration value) {
      return new Queue(name, pk, type, value, secrets, backlog, retain, limits, idempotency);
    }

    Queue withBacklog(Backlog value) {
      return new Queue(name, pk, type, ttl, secrets, value, retain, limits, idempotency);
    }
  }

  public SyncbusConfig {
    queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
  }

  /** Parses and validates a configuration; {@code env} resolves {@code ${NAME}} and overrides. */
  public static SyncbusConfig parse(JsonObject json, Map<String, String> env) {
    Settings root = new Settings(json, "", env);
    Http http = http(root.child("http"), env);
    Settings auth = root.child("auth");
    TimeTokens timeTokens = timeTokens(auth.child("timeTokens"));
    Jwt jwt = jwt(auth.child("jwt"));
    long overlap = auth.longValue("secretOverlapSeconds", DEFAULT_SECRET_OVERLAP_SECONDS, 0, 86_400);
    auth.rejectUnknown();
    Settings reloadNode = root.child("reload");
    Reload reload = new Reload(reloadNode.longValue("scanSeconds", Reload.DEFAULT_SCAN_SECONDS, 1, 86_400));
    reloadNode.rejectUnknown();
    Settings clusterNode = root.child("cluster");
    Cluster cluster = new Cluster((int) clusterNode.longValue("members", Cluster.DEFAULT_MEMBERS, 1, Cluster.MAX_MEMBERS));
    clusterNode.rejectUnknown();
    Bridges bridges = bridges(root.child("bridges"), env);
    Settings limitsNode = root.child("limits");
    Limits limits = new Limits(
        limitsNode.longValue("subscriberBufferBytes", Limits.DEFAULT_SUBSCRIBER_BUFFER_BYTES, 1024, Long.MAX_VALUE),
        limitsNode.longValue("maxConnections", Limits.AUTOMATIC, 1, Integer.MAX_VALUE),
        limitsNode.longValue("maxConnectionsPerAddress", 0, 0, Integer.MAX_VALUE),
        limitsNode.longValue("headerTimeoutSeconds", Limits.DEFAULT_HEADER_TIMEOUT_SECONDS, 1, 3600),
        limitsNode.longValue("minBodyBytesPerSecond", Limits.DEFAULT_MIN_BODY_BYTES_PER_SECOND, 0, Integer.MAX_VALUE),
        limitsNode.longValue("bufferedBodyBytes", Limits.AUTOMATIC, 1024, Long.MAX_VALUE));
    limitsNode.rejectUnknown();
    Settings sseNode = root.child("sse");
    Sse sse = new Sse(sseNode.longValue("keepAliveSeconds", Sse.DEFAULT_KEEP_ALIVE_SECONDS, 1, 3600));
    sseNode.rejectUnknown();
    Log log = log(root.child("log"));
    Settings metricsNode = root.child("metrics");
    Metrics metrics = new Metrics(metricsNode.bool("enabled", true),
        metricsNode.has("requireAdmin") ? metricsNode.bool("requireAdmin", true) : null);
    metricsNode.rejectUnknown();
    Admin admin = admin(root.child("admin"));
    Settings consoleNode = root.child("console");
    Console console = new Console(consoleNode.has("enabled") ? consoleNode.bool("enabled", true) : null,
        consoleNode.longValue("sessionMinutes", Console.DEFAULT_SESSION_MINUTES, 1, 24 * 60));
    consoleNode.rejectUnknown();
    Settings queuesNode = root.child("queues");
    Map<String, Queue> queues = new LinkedHashMap<>();
    for (String name : queuesNode.keys()) {
      queues.put(name, queue(name, queuesNode, timeTokens.enabled()));
    }
    root.rejectUnknown();
    SyncbusConfig config = new SyncbusConfig(http, timeTokens, jwt, overlap, limits, sse, bridges, reload, cluster, log, metrics, admin, console, queues);
    Exposure.check(config);
    return config;
  }

  private static Admin admin(Settings node) {
    String token = node.has("token") ? node.requiredString("token") : null;
    if (token != null && token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < Admin.MIN_TOKEN_BYTES) {
      throw new ConfigException(node.path("token") + ": at least " + Admin.MIN_TOKEN_BYTES + " bytes (it is a password)");
    }
    node.rejectUnknown();
    return new Admin(token);
  }

  private static Log log(Settings node) {
    String level = node.string("level", Log.DEFAULT_LEVEL).toUpperCase(java.util.Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new ConfigException(node.path("level") + ": expected one of " + LOG_LEVELS + ", got " + level);
    }
    String formatName = node.string("format", "text");
    LogFormat format = switch (formatName) {
      case "text" -> LogFormat.TEXT;
      case "json" -> LogFormat.JSON;
      default -> throw new ConfigException(node.path("format") + ": expected \"text\" or \"json\", got \"" + formatName + "\"");
    };
    node.rejectUnknown();
    return new Log(level, format);
  }

  private static Http http(Settings node, Map<String, String> env) {
    String host = Hosts.check(node.path("host"), node.string("host", Http.DEFAULT_HOST));
    String hostOverride = env.get(ENV_HTTP_HOST);
    if (hostOverride != null) {
      host = Hosts.check(ENV_HTTP_HOST, hostOverride.trim());
    }
    int port = (int) node.longValue("port", Http.DEFAULT_PORT, 0, 65535);
    String override = env.get(ENV_HTTP_PORT);
    if (override != null) {
      port = portFromEnv(ENV_HTTP_PORT, override);
    }
    long maxBody = node.longValue("maxBodyBytes", Http.DEFAULT_MAX_BODY_BYTES, 1024, Integer.MAX_VALUE);
    Settings cors = node.child("cors");
    List<String> origins = allowedOrigins(cors);
    cors.rejectUnknown();
    long idle = node.longValue("idleTimeoutSeconds", Http.DEFAULT_IDLE_TIMEOUT_SECONDS, 1, 86_400);
    long coalesce = node.longValue("coalesceMillis", Http.DEFAULT_COALESCE_MILLIS, 0, 1000);
    Tls tls = tls(node);
    node.rejectUnknown();
    return new Http(host, port, maxBody, origins, idle, coalesce, tls);
  }

  /**
   * The origins whose pages may make cross-origin requests, each by name: {@code "*"} (every
   * origin) is refused, because the listed origins are allowed credentials (sockjs-client sends
   * them), and a server must never allow credentials to every site.
   */
  private static List<String> allowedOrigins(Settings cors) {
    List<String> origins = List.copyOf(cors.strings("allowedOrigins"));
    int wildcard = origins.indexOf("*");
    if (wildcard >= 0) {
      throw new ConfigException(cors.path("allowedOrigins") + "[" + wildcard
          + "]: \"*\" is not accepted: list each origin, e.g. \"https://app.example.com\"");
    }
    return origins;
  }

  private static final Set<String> SECRET_ALGORITHMS = Set.of("HS256", "HS384", "HS512");
  private static final Set<String> PUBLIC_KEY_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private static Jwt jwt(Settings node) {
    List<JwtKey> keys = new ArrayList<>();
    for (Settings key : node.objects("keys")) {
      String algorithm = key.requiredString("algorithm");
      if (SECRET_ALGORITHMS.contains(algorithm)) {
        keys.add(new JwtKey(algorithm, key.requiredString("secret"), null));
      } else if (PUBLIC_KEY_ALGORITHMS.contains(algorithm)) {
        String publicKey = key.requiredString("publicKey");
        PemPublicKey.check(key.path("publicKey"), algorithm, publicKey);
        keys.add(new JwtKey(algorithm, null, publicKey));
      } else {
        throw new ConfigException(key.path("algorithm") + ": unsupported algorithm " + algorithm
            + " (expected one of HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512)");
      }
      key.rejectUnknown();
    }
    Jwt jwt = new Jwt(List.copyOf(keys), node.string("issuer", null), node.string("audience", null),
        node.bool("requireExp", true));
    node.rejectUnknown();
    return jwt;
  }

  private static Bridges bridges(Settings node, Map<String, String> env) {
    Settings tcpNode = node.child("tcp");
    int port = (int) tcpNode.longValue("port", TcpBridge.DEFAULT_PORT, 0, 65535);
    String override = env.get(ENV_BRIDGE_TCP_PORT);
    if (override != null) {
      port = portFromEnv(ENV_BRIDGE_TCP_PORT, override);
    }
    String host = Hosts.check(tcpNode.path("host"), tcpNode.string("host", TcpBridge.DEFAULT_HOST));
    TcpBridge tcp = new TcpBridge(tcpNode.bool("enabled", false), host, port,
        tcpNode.longValue("maxConnectionsPerAddress", 0, 0, Integer.MAX_VALUE), tls(tcpNode));
    tcpNode.rejectUnknown();
    Settings sockjsNode = node.child("sockjs");
    String path = sockjsNode.string("path", SockJsBridge.DEFAULT_PATH);
    if (!path.matches("/[A-Za-z0-9_/-]*[A-Za-z0-9_-]")) {
      throw new ConfigException(sockjsNode.path("path") + ": expected a path like /eventbus");
    }
    SockJsBridge sockjs = new SockJsBridge(sockjsNode.bool("enabled", false), path);
    sockjsNode.rejectUnknown();
    long maxFrame = node.longValue("maxFrameBytes", Bridges.DEFAULT_MAX_FRAME_BYTES, 1024, Integer.MAX_VALUE);
    int maxRegistrations = (int) node.longValue("maxRegistrationsPerConnection",
        Bridges.DEFAULT_MAX_REGISTRATIONS_PER_CONNECTION, 1, 100_000);
    node.rejectUnknown();
    return new Bridges(tcp, sockjs, maxFrame, maxRegistrations);
  }

  /** The {@code tls} section under {@code node}, or null when there is none. */
  private static Tls tls(Settings node) {
    if (!node.has("tls")) {
      return null;
    }
    Settings tls = node.child("tls");
    String cert = tls.requiredString("certPath");
    String key = tls.requiredString("keyPath");
    String clientCa = tls.string("clientCaPath", null);
    String authName = tls.string("clientAuth", "none");
    ClientAuth clientAuth = switch (authName) {
      case "none" -> ClientAuth.NONE;
      case "request" -> ClientAuth.REQUEST;
      case "required" -> ClientAuth.REQUIRED;
      default -> throw new ConfigException(tls.path("clientAuth") + ": expected none, request or required, got " + authName);
    };
    if (clientAuth != ClientAuth.NONE && clientCa == null) {
      throw tls.missing("clientCaPath", "needed with clientAuth " + authName);
    }
    tls.rejectUnknown();
    return new Tls(cert, key, clientCa, clientAuth);
  }

  private static int portFromEnv(String variable, String value) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ConfigException(variable + ": expected a port number (0-65535)");
  }

  private static TimeTokens timeTokens(Settings node) {
    TimeTokens tokens = new TimeTokens(
        node.bool("enabled", true),
        node.longValue("ttlSeconds", TimeTokens.DEFAULT_TTL_SECONDS, 1, 86_400),
        node.longValue("maxSkewSeconds", TimeTokens.DEFAULT_MAX_SKEW_SECONDS, 0, 86_400));
    node.rejectUnknown();
    return tokens;
  }

  private static Queue queue(String name, Settings queues, boolean tokensEnabled) {
    if (!QUEUE_NAME.matcher(name).matches()) {
      throw new ConfigException(queues.path(name) + ": bad queue name (expected 1 to 64 of A-Z a-z 0-9 _ -)");
    }
    Settings node = queues.child(name);
    String pk = node.requiredString("pk");
    String typeName = node.string("type", "keyed");
    QueueType type = switch (typeName) {
      case "keyed" -> QueueType.KEYED;
      case "expiring" -> QueueType.EXPIRING;
      default -> throw new ConfigException(node.path("type") + ": unknown queue type \"" + typeName
          + "\" (expected \"keyed\" or \"expiring\")");
    };
    Duration ttl = null;
    if (type == QueueType.EXPIRING) {
      if (!node.has("ttlSeconds")) {
        throw node.missing("ttlSeconds", "required by type \"expiring\"");
      }
      ttl = Duration.ofSeconds(node.longValue("ttlSeconds", 0, 1, 31_536_000));
    } else if (node.has("ttlSeconds")) {
      throw new ConfigException(node.path("ttlSeconds") + ": only for type \"expiring\"");
    }
    Settings secretsNode = node.child("secrets");
    Secrets secrets = tokensEnabled
        ? new Secrets(secretsNode.requiredString("publish"), secretsNode.requiredString("subscribe"))
        : new Secrets(secretsNode.string("publish", ""), secretsNode.string("subscribe", ""));
    secretsNode.rejectUnknown();
    Backlog backlog = backlog(node.child("backlog"));
    Settings retainNode = node.child("retain");
    Retain retain = new Retain(
        (int) retainNode.longValue("batches", Retain.DEFAULT_BATCHES, 0, 10_000_000),
        retainNode.longValue("bytes", Retain.DEFAULT_BYTES, 0, Long.MAX_VALUE));
    retainNode.rejectUnknown();
    Settings limitsNode = node.child("limits");
    QueueLimits limits = new QueueLimits(
        limitsNode.longValue("records", QueueLimits.DEFAULT_RECORDS, 1, Integer.MAX_VALUE),
        limitsNode.longValue("bytes", QueueLimits.DEFAULT_BYTES, 1, Long.MAX_VALUE));
    limitsNode.rejectUnknown();
    Settings idempotencyNode = node.child("idempotency");
    Idempotency idempotency = new Idempotency(
        (int) idempotencyNode.longValue("keys", Idempotency.DEFAULT_KEYS, 1, 10_000_000),
        idempotencyNode.longValue("seconds", Idempotency.DEFAULT_SECONDS, 1, 7 * 86_400));
    idempotencyNode.rejectUnknown();
    node.rejectUnknown();
    return new Queue(name, pk, type, ttl, secrets, backlog, retain, limits, idempotency);
  }

  private static Backlog backlog(Settings node) {
    String typeName = node.string("type", "none");
    BacklogType type = switch (typeName) {
      case "none" -> BacklogType.NONE;
      case "file" -> BacklogType.FILE;
      case "http" -> BacklogType.HTTP;
      default -> throw new ConfigException(node.path("type") + ": unknown backlog type \"" + typeName
          + "\" (expected \"none\", \"file\" or \"http\")");
    };
    String path = type == BacklogType.FILE ? node.requiredString("path") : null;
    String url = type == BacklogType.HTTP ? node.requiredString("url") : null;
    if (url != null && !url.startsWith("http://") && !url.startsWith("https://")) {
      throw new ConfigException(node.path("url") + ": expected an http:// or https:// URL");
    }
    long initial = node.longValue("retryInitialMillis", Backlog.DEFAULT_RETRY_INITIAL_MILLIS, 1, 3_600_000);
    long max = node.longValue("retryMaxMillis", Backlog.DEFAULT_RETRY_MAX_MILLIS, initial, 3_600_000);
    long timeout = node.longValue("timeoutSeconds", Backlog.DEFAULT_TIMEOUT_SECONDS, 1, 3_600);
    node.rejectUnknown();
    return new Backlog(type, path, url, Duration.ofMillis(initial), Duration.ofMillis(max), Duration.ofSeconds(timeout));
  }

  public Queue queue(String name) {
    return queues.get(name);
  }

  // One-setting copies (here and in the records above), for ReloadPolicy to put back the running
  // value of a setting that only a restart changes.

  SyncbusConfig withHttp(Http value) {
    return new SyncbusConfig(value, timeTokens, jwt, secretOverlapSeconds, limits, sse, bridges, reload, cluster, log, metrics, admin, console, queues);
  }

  SyncbusConfig withTimeTokens(TimeTokens value) {
    return new SyncbusConfig(http, value, jwt, secretOverlapSeconds, limits, sse, bridges, reload, cluster, log, metrics, admin, console, queues);
  }

  SyncbusConfig withBridges(Bridges value) {
    return new SyncbusConfig(http, timeTokens, jwt, secretOverlapSeconds, limits, sse, value, reload, cluster, log, metrics, admin, console, queues);
  }

  SyncbusConfig withCluster(Cluster value) {
    return new SyncbusConfig(http, timeTokens, jwt, secretOverlapSeconds, limits, sse, bridges, reload, value, log, metrics, admin, console, queues);
  }

  SyncbusConfig withQueues(Map<String, Queue> value) {
    return new SyncbusConfig(http, timeTokens, jwt, secretOverlapSeconds, limits, sse, bridges, reload, cluster, log, metrics, admin, console, value);
  }
}
