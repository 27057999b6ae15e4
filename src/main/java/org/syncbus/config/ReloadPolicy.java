package org.syncbus.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.syncbus.config.SyncbusConfig.Queue;
import org.syncbus.config.SyncbusConfig.Secrets;

/**
 * Which settings of a changed configuration file a running node applies, and which wait for a
 * restart: decided here and nowhere else (README, "Reloading the configuration"). The node's
 * wiring watches the file, hands the running and the new configuration to {@link #apply}, and
 * carries out the {@link Outcome}; it makes no choice of its own.
 *
 * <p><b>Why some settings wait for a restart.</b> Most are read once by something that lives as
 * long as the node: the HTTP server's address and its CORS handler, the bridges and, per queue,
 * what its owner built its state from (the primary key and the type shape the rows it holds, the
 * ttl their expiry, the backlog source its initial load), and the cluster's expected size, which
 * Hazelcast's split-brain protection took when the node joined. Changing one under a running server or
 * owner would mean rebuilding it, which is what a restart is for. Whether time tokens are required
 * at all waits too, for safety rather than structure: switching them off opens every queue to
 * anyone, switching them on shuts out every client without tokens; either must be a deliberate
 * restart (warned about at start), not an edit picked up by a scan. Everything else is read per request or per event and applies at once: secrets, JWT keys,
 * token lifetime and skew, limits, keep-alive, retention, the scan period, the log's level and format, and the
 * set of queues itself (added queues start, removed queues stop).
 *
 * <p><b>The effective configuration</b> is the file's, with every restart-only setting put back to
 * its running value, and each one that differed named in {@link Outcome#ignored()} by its setting
 * path ({@code queues.mdb.pk}) so that the node can say that the edit waits for a restart. A queue
 * in both keeps its running pk, type, ttl and backlog and takes the rest from the file; an added
 * queue is as in the file; a removed queue is gone.
 *
 * <p><b>One table.</b> Every restart-only setting is declared once ({@link RestartOnly}): its path,
 * how it is read, how its running value is put back. Reporting and keeping derive from the same
 * entry, so no setting can be reported yet applied, or kept without a word.
 */
public final class ReloadPolicy {
  /**
   * What a reload does: the configuration to run with, the setting paths that changed but stay as
   * they run (node-wide ones first, then queue by queue in the file's order), the paths of the
   * settings whose running values change ({@link ConfigDiff}: of the queues that stay), and the
   * names of the queues that start and of those that stop.
   */
  public record Outcome(SyncbusConfig effective, List<String> ignored, List<String> changed, List<String> added,
                        List<String> removed) {
    public Outcome {
      ignored = List.copyOf(ignored);
      changed = List.copyOf(changed);
      added = List.copyOf(added);
      removed = List.copyOf(removed);
    }

    /** True when the node runs on as it ran: nothing changed, no queue starts or stops. */
    public boolean changesNothing() {
      return changed.isEmpty() && added.isEmpty() && removed.isEmpty();
    }

    /**
     * What the reload changes, in names only (a value, a secret's above all, is never logged):
     * {@code changed auth.timeTokens.ttlSeconds, queues.default.secrets.publish; queues added [rooms]},
     * or {@code no change}.
     */
    public String summary() {
      List<String> parts = new ArrayList<>();
      if (!changed.isEmpty()) {
        parts.add("changed " + String.join(", ", changed));
      }
      if (!added.isEmpty()) {
        parts.add("queues added " + added);
      }
      if (!removed.isEmpty()) {
        parts.add("queues removed " + removed);
      }
      return parts.isEmpty() ? "no change" : String.join("; ", parts);
    }
  }

  /** The node-wide settings that only a restart applies. */
  private static final List<RestartOnly<SyncbusConfig, ?>> NODE = List.of(
      new RestartOnly<>("http.host", config -> config.http().host(),
          (config, host) -> config.withHttp(config.http().withHost(host))),
      new RestartOnly<>("http.port", config -> config.http().port(),
          (config, port) -> config.withHttp(config.http().withPort(port))),
      new RestartOnly<>("http.cors.allowedOrigins", config -> config.http().allowedOrigins(),
          (config, origins) -> config.withHttp(config.http().withAllowedOrigins(origins))),
      new RestartOnly<>(SyncbusConfig.Tls.HTTP, config -> config.http().tls(),
          (config, tls) -> config.withHttp(config.http().withTls(tls))),
      new RestartOnly<>("auth.timeTokens.enabled", config -> config.timeTokens().enabled(),
          (config, enabled) -> config.withTimeTokens(config.timeTokens().withEnabled(enabled))),
      new RestartOnly<>("bridges.tcp", config -> config.bridges().tcp(),
          (config, tcp) -> config.withBridges(config.bridges().withTcp(tcp))),
      new RestartOnly<>("bridges.sockjs", config -> config.bridges().sockjs(),
          (config, sockjs) -> config.withBridges(config.bridges().withSockjs(sockjs))),
      new RestartOnly<>("cluster.members", SyncbusConfig::cluster, SyncbusConfig::withCluster));

  /** The settings of a queue that only a restart applies, by their path under {@code queues.Q}. */
  private static final List<RestartOnly<Queue, ?>> QUEUE = List.of(
      new RestartOnly<>("pk", Queue::pk, Queue::withPk),
      new RestartOnly<>("type", Queue::type, Queue::withType),
      new RestartOnly<>("ttlSeconds", Queue::ttl, Queue::withTtl),
      new RestartOnly<>("backlog", Queue::backlog, Queue::withBacklog));

  private ReloadPolicy() {}

  /**
   * What reloading {@code next} does to a node running {@code running}.
   *
   * @throws ConfigException when the effective configuration cannot run: a file that turns time
   *     tokens off and drops queue secrets, while tokens stay on until a restart; or one that is
   *     unsafe where the node keeps listening until a restart ({@link Exposure}), such as weak
   *     secrets in a file that moves {@code http.host} to loopback on a node listening beyond it
   */
  public static Outcome apply(SyncbusConfig running, SyncbusConfig next) {
    List<String> ignored = new ArrayList<>();
    SyncbusConfig node = keepAll(NODE, "", running, next, ignored);
    Map<String, Queue> queues = new LinkedHashMap<>();
    next.queues().forEach((name, queue) -> queues.put(name, running.queue(name) == null
        ? queue : keepAll(QUEUE, "queues." + name + ".", running.queue(name), queue, ignored)));
    SyncbusConfig effective = node.withQueues(queues);
    requireSecretsWhileTokensStayOn(effective);
    Exposure.check(effective);
    return new Outcome(effective, ignored, ConfigDiff.changed(running, effective), namesOnlyIn(next, running),
        namesOnlyIn(running, next));
  }

  private static void requireSecretsWhileTokensStayOn(SyncbusConfig effective) {
    if (!effective.timeTokens().enabled()) {
      return;
    }
    for (Queue queue : effective.queues().values()) {
      Secrets secrets = queue.secrets();
      String missing = secrets.publish().isEmpty() ? "publish" : secrets.subscribe().isEmpty() ? "subscribe" : null;
      if (missing != null) {
        throw new ConfigException("queues." + queue.name() + ".secrets." + missing
            + ": missing (auth.timeTokens.enabled stays true until a restart)");
      }
    }
  }

  private static <T> T keepAll(List<RestartOnly<T, ?>> settings, String prefix, T running, T next,
                               List<String> ignored) {
    T kept = next;
    for (RestartOnly<T, ?> setting : settings) {
      kept = setting.keep(prefix, running, kept, ignored);
    }
    return kept;
  }

  /** The queues of {@code config} that {@code other} does not have, in {@code config}'s order. */
  private static List<String> namesOnlyIn(SyncbusConfig config, SyncbusConfig other) {
    return config.queues().keySet().stream().filter(name -> other.queue(name) == null).toList();
  }

  /** A setting only a restart applies: its path, how it is read, how a value is put back. */
  private record RestartOnly<T, V>(String path, Function<T, V> read, BiFunction<T, V, T> write) {
    /** {@code next} with this setting as {@code running} has it; its path added to {@code ignored} when they differ. */
    T keep(String prefix, T running, T next, List<String> ignored) {
      V runs = read.apply(running);
      if (Objects.equals(runs, read.apply(next))) {
        return next;
      }
      ignored.add(prefix + path);
      return write.apply(next, runs);
    }
  }
}
