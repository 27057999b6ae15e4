package org.syncbus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * A configuration written back in the file's shape, as {@code check-config} prints it: every
 * setting with the value the node would run with (defaults and environment overrides included),
 * and nothing that could let a reader in.
 *
 * <p><b>Masking goes by name</b>: every string whose setting path says {@code secret},
 * {@code token} or {@code password} is printed as {@value #MASK}, so a secret added later is masked
 * without being listed here. Backlog URLs lose their user info and query
 * ({@link SyncbusConfig.Backlog#describe}), where credentials travel.
 *
 * <p>A setting whose default the node works out when it starts ({@link SyncbusConfig.Limits#AUTOMATIC})
 * and an optional one that is not set are written {@code null}, which the parser reads as absent:
 * what is printed parses back to the same configuration, secrets aside.
 */
public final class ConfigJson {
  /** What a secret is printed as. */
  public static final String MASK = "****";

  private ConfigJson() {}

  /** {@code config} in the file's shape, secrets masked. */
  public static JsonObject masked(SyncbusConfig config) {
    JsonObject json = new JsonObject()
        .put("http", http(config.http()))
        .put("auth", auth(config))
        .put("limits", limits(config.limits()))
        .put("sse", new JsonObject().put("keepAliveSeconds", config.sse().keepAliveSeconds()))
        .put("bridges", bridges(config.bridges()))
        .put("reload", new JsonObject().put("scanSeconds", config.reload().scanSeconds()))
        .put("cluster", new JsonObject().put("members", config.cluster().members()))
        .put("log", new JsonObject().put("level", config.log().level())
            .put("format", config.log().format().name().toLowerCase(Locale.ROOT)))
        .put("metrics", new JsonObject().put("enabled", config.metrics().enabled())
            .put("requireAdmin", config.metrics().requireAdmin()))
        .put("admin", new JsonObject().put("token", config.admin().token()))
        .put("console", new JsonObject().put("enabled", config.console().enabled())
            .put("sessionMinutes", config.console().sessionMinutes()))
        .put("queues", queues(config.queues()));
    mask(json, "");
    return json;
  }

  private static JsonObject http(SyncbusConfig.Http http) {
    return new JsonObject()
        .put("host", http.host())
        .put("port", http.port())
        .put("maxBodyBytes", http.maxBodyBytes())
        .put("idleTimeoutSeconds", http.idleTimeoutSeconds())
        .put("coalesceMillis", http.coalesceMillis())
        .put("cors", new JsonObject().put("allowedOrigins", new JsonArray(http.allowedOrigins())))
        .put("tls", tls(http.tls()));
  }

  private static JsonObject tls(SyncbusConfig.Tls tls) {
    if (tls == null) {
      return null;
    }
    return new JsonObject()
        .put("certPath", tls.certPath())
        .put("keyPath", tls.keyPath())
        .put("clientCaPath", tls.clientCaPath())
        .put("clientAuth", tls.clientAuth().name().toLowerCase(Locale.ROOT));
  }

  private static JsonObject auth(SyncbusConfig config) {
    SyncbusConfig.TimeTokens tokens = config.timeTokens();
    SyncbusConfig.Jwt jwt = config.jwt();
    JsonArray keys = new JsonArray();
    for (SyncbusConfig.JwtKey key : jwt.keys()) {
      keys.add(key.secret() != null
          ? new JsonObject().put("algorithm", key.algorithm()).put("secret", key.secret())
          : new JsonObject().put("algorithm", key.algorithm()).put("publicKey", key.publicKey()));
    }
    return new JsonObject()
        .put("timeTokens", new JsonObject()
            .put("enabled", tokens.enabled())
            .put("ttlSeconds", tokens.ttlSeconds())
            .put("maxSkewSeconds", tokens.maxSkewSeconds()))
        .put("jwt", new JsonObject()
            .put("keys", keys)
            .put("issuer", jwt.issuer())
            .put("audience", jwt.audience())
            .put("requireExp", jwt.requireExp()))
        .put("secretOverlapSeconds", config.secretOverlapSeconds());
  }

  private static JsonObject limits(SyncbusConfig.Limits limits) {
    return new JsonObject()
        .put("subscriberBufferBytes", limits.subscriberBufferBytes())
        .put("maxConnections", automatic(limits.maxConnections()))
        .put("maxConnectionsPerAddress", limits.maxConnectionsPerAddress())
        .put("headerTimeoutSeconds", limits.headerTimeoutSeconds())
        .put("minBodyBytesPerSecond", limits.minBodyBytesPerSecond())
        .put("bufferedBodyBytes", automatic(limits.bufferedBodyBytes()));
  }

  private static Long automatic(long value) {
    return value == SyncbusConfig.Limits.AUTOMATIC ? null : value;
  }

  private static JsonObject bridges(SyncbusConfig.Bridges bridges) {
    SyncbusConfig.TcpBridge tcp = bridges.tcp();
    return new JsonObject()
        .put("tcp", new JsonObject()
            .put("enabled", tcp.enabled())
            .put("host", tcp.host())
            .put("port", tcp.port())
            .put("maxConnectionsPerAddress", tcp.maxConnectionsPerAddress())
            .put("tls", tls(tcp.tls())))
        .put("sockjs", new JsonObject()
            .put("enabled", bridges.sockjs().enabled())
            .put("path", bridges.sockjs().path()))
        .put("maxFrameBytes", bridges.maxFrameBytes())
        .put("maxRegistrationsPerConnection", bridges.maxRegistrationsPerConnection());
  }

  private static JsonObject queues(Map<String, SyncbusConfig.Queue> queues) {
    JsonObject json = new JsonObject();
    queues.forEach((name, queue) -> json.put(name, queue(queue)));
    return json;
  }

  private static JsonObject queue(SyncbusConfig.Queue queue) {
    JsonObject json = new JsonObject()
        .put("pk", queue.pk())
        .put("type", queue.type().name().toLowerCase(Locale.ROOT));
    if (queue.ttl() != null) {
      json.put("ttlSeconds", queue.ttl().toSeconds());
    }
    return json
        .put("secrets", new JsonObject()
            .put("publish", queue.secrets().publish())
            .put("subscribe", queue.secrets().subscribe()))
        .put("backlog", backlog(queue.backlog()))
        .put("retain", new JsonObject()
            .put("batches", queue.retain().batches())
            .put("bytes", queue.retain().bytes()))
        .put("limits", new JsonObject()
            .put("records", queue.limits().records())
            .put("bytes", queue.limits().bytes()))
        .put("idempotency", new JsonObject()
            .put("keys", queue.idempotency().keys())
            .put("seconds", queue.idempotency().seconds()));
  }

  private static JsonObject backlog(SyncbusConfig.Backlog backlog) {
    JsonObject json = new JsonObject().put("type", backlog.type().name().toLowerCase(Locale.ROOT));
    switch (backlog.type()) {
      case FILE -> json.put("path", backlog.path());
      case HTTP -> json.put("url", backlog.describe());
      case NONE -> { }
    }
    return json
        .put("retryInitialMillis", backlog.retryInitial().toMillis())
        .put("retryMaxMillis", backlog.retryMax().toMillis())
        .put("timeoutSeconds", backlog.timeout().toSeconds());
  }

  /** Replaces, under {@code json} at {@code path}, every non-empty string of a secret-sounding setting by {@link #MASK}. */
  private static void mask(JsonObject json, String path) {
    for (String key : json.fieldNames()) {
      String at = path.isEmpty() ? key : path + "." + key;
      Object value = json.getValue(key);
      if (value instanceof JsonObject object) {
        mask(object, at);
      } else if (value instanceof JsonArray array) {
        array.stream().filter(JsonObject.class::isInstance).forEach(element -> mask((JsonObject) element, at));
      } else if (value instanceof String text && !text.isEmpty() && secretSounding(at)) {
        json.put(key, MASK);
      }
    }
  }

  private static boolean secretSounding(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.contains("secret") || lower.contains("token") || lower.contains("password");
  }
}
