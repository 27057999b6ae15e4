package org.syncbus.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rule for a node other machines can reach (README, "Exposing a node"): it must authenticate
 * its clients, with secrets nobody can guess. Checked on every configuration a node would run
 * with, at start and on reload ({@link SyncbusConfig#parse}, {@link ReloadPolicy#apply}), and by
 * {@code check-config}; the refusal is one line naming the setting to change.
 *
 * <p><b>Exposed</b> means listening on an address that is not loopback ({@link Hosts#isLoopback}):
 * {@code http.host}, or {@code bridges.tcp.host} with the TCP bridge on. An exposed node refuses
 * <ul>
 *   <li>{@code auth.timeTokens.enabled} false with the HTTP port exposed: anyone could publish
 *       and subscribe;
 *   <li>any {@linkplain #secrets secret} that is one of the shipped placeholders (anything
 *       starting with {@code change-me}) or shorter than {@value #MIN_SECRET_BYTES} bytes.
 * </ul>
 * On loopback the same secrets are allowed (development on one machine), and {@link #warning}
 * says once at start that they would be refused beyond it.
 *
 * <p>A new kind of secret is one more entry in {@link #secrets}: it is then checked here and never
 * printed by {@code check-config} (whose masking goes by the setting's name, {@link ConfigJson}).
 */
public final class Exposure {
  /** A secret at least this long is out of reach of guessing an HMAC or HS JWT key offline. */
  public static final int MIN_SECRET_BYTES = 16;
  private static final String PLACEHOLDER_PREFIX = "change-me";
  /** The shipped configuration's placeholders: public already, so a refusal may quote them. */
  private static final Set<String> SHIPPED_PLACEHOLDERS =
      Set.of("change-me-pub", "change-me-sub", "change-me-presence-pub", "change-me-presence-sub");

  private Exposure() {}

  /** A secret that authenticates clients: its setting's path and its value. */
  record Secret(String path, String value) {}

  /** Every secret of {@code config} that authenticates clients, by the path of its setting. */
  static List<Secret> secrets(SyncbusConfig config) {
    List<Secret> secrets = new ArrayList<>();
    if (config.timeTokens().enabled()) {
      for (SyncbusConfig.Queue queue : config.queues().values()) {
        String prefix = "queues." + queue.name() + ".secrets.";
        secrets.add(new Secret(prefix + "publish", queue.secrets().publish()));
        secrets.add(new Secret(prefix + "subscribe", queue.secrets().subscribe()));
      }
    }
    List<SyncbusConfig.JwtKey> keys = config.jwt().keys();
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).secret() != null) {
        secrets.add(new Secret("auth.jwt.keys[" + i + "].secret", keys.get(i).secret()));
      }
    }
    if (config.admin().token() != null) {
      secrets.add(new Secret("admin.token", config.admin().token()));
    }
    return secrets;
  }

  /** Refuses {@code config} with its first {@link #problem}, if any. */
  static void check(SyncbusConfig config) {
    String problem = problem(config);
    if (problem != null) {
      throw new ConfigException(problem);
    }
  }

  /**
   * The first reason {@code config} is unsafe where it listens, as one line naming the setting to
   * change; null when it is safe.
   */
  static String problem(SyncbusConfig config) {
    String exposed = exposedOn(config);
    if (exposed == null) {
      return null;
    }
    String where = " on a node listening on " + exposed;
    if (!config.timeTokens().enabled() && !Hosts.isLoopback(config.http().host())) {
      return "auth.timeTokens.enabled: false" + where + ": anyone could publish and subscribe; "
          + "enable time tokens, or listen on 127.0.0.1";
    }
    for (Secret secret : secrets(config)) {
      String weakness = weakness(secret.value());
      if (weakness != null) {
        return secret.path() + ": " + weakness + where + "; set a secret of at least " + MIN_SECRET_BYTES + " bytes";
      }
    }
    return null;
  }

  /**
   * For a node on loopback only: its first secret that an exposed node would refuse, as one line
   * to warn with at start; null when there is none, or when the node is exposed (it is then
   * refused by {@link #problem}, never started).
   */
  public static String warning(SyncbusConfig config) {
    if (exposedOn(config) != null) {
      return null;
    }
    for (Secret secret : secrets(config)) {
      String weakness = weakness(secret.value());
      if (weakness != null) {
        return secret.path() + ": " + weakness + ": allowed while the node listens on loopback only, "
            + "refused if it listens beyond it";
      }
    }
    return null;
  }

  /** The first non-loopback address the node listens on, with its setting ({@code 0.0.0.0 (http.host)}); null when none. */
  private static String exposedOn(SyncbusConfig config) {
    if (!Hosts.isLoopback(config.http().host())) {
      return config.http().host() + " (http.host)";
    }
    SyncbusConfig.TcpBridge tcp = config.bridges().tcp();
    if (tcp.enabled() && !Hosts.isLoopback(tcp.host())) {
      return tcp.host() + " (bridges.tcp.host)";
    }
    return null;
  }

  /** Why {@code secret} is guessable (never quoting it, unless it is a shipped placeholder); null when it is not. */
  private static String weakness(String secret) {
    if (secret.startsWith(PLACEHOLDER_PREFIX)) {
      return "a placeholder secret (" + (SHIPPED_PLACEHOLDERS.contains(secret) ? secret : PLACEHOLDER_PREFIX + "…") + ")";
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      return "a secret shorter than " + MIN_SECRET_BYTES + " bytes";
    }
    return null;
  }
}
