package org.syncbus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What one node counts, for {@code GET /metrics} in the Prometheus text format (README,
 * "Metrics and health"): per queue ({@link QueueMeters}), refusals by status and cause,
 * connections by port, bridge frames by type, the cluster's members and quorum, and the JVM's and
 * process's basics. Shared by every verticle of the node, from any thread: Micrometer's meters
 * are thread-safe.
 *
 * <p><b>On and off.</b> Every meter is made on a composite registry, which counts nothing while
 * it has no registry inside (its meters are no-ops); {@link #enable} puts the Prometheus registry
 * in or takes it out, at start and on reloads of {@code metrics.enabled}. So a node with metrics
 * off does not pay for them, and the code that counts never asks.
 *
 * <p><b>Cost.</b> Hot paths count once per batch, never once per subscriber or line: a batch
 * written to N subscribers adds N lines in one increment.
 *
 * <p><b>What the console reads.</b> Refusals are also kept, the last ones with the client's address
 * ({@link RecentRefusals}), and each queue keeps plain totals beside its meters
 * ({@link QueueMeters}): both whether metrics are on or off, since the console works either way.
 */
public final class NodeMetrics {
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, QueueMeters> queues = new ConcurrentHashMap<>();
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final Map<String, Counter> frames = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
  private final RecentRefusals recentRefusals;
  private volatile boolean enabled;

  /** A node's meters, counting while {@code enabled}; refusals are dated by {@code clock}. */
  public NodeMetrics(boolean enabled, Clock clock) {
    recentRefusals = new RecentRefusals(clock);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    enable(enabled);
  }

  /** Turns counting and {@code /metrics} on or off ({@code metrics.enabled}). */
  public synchronized void enable(boolean on) {
    if (on && !enabled) {
      registry.add(prometheus);
    } else if (!on && enabled) {
      registry.remove(prometheus);
    }
    enabled = on;
  }

  public boolean enabled() {
    return enabled;
  }

  /** The Prometheus text exposition of every meter, or null while metrics are off. */
  public String scrape() {
    return enabled ? prometheus.scrape() : null;
  }

  /** The meters of {@code queue}, made on first use. */
  public QueueMeters queue(String queue) {
    return queues.computeIfAbsent(queue, name -> new QueueMeters(registry, name));
  }

  /**
   * A refusal: its {@code status} (the HTTP status or the bridge's failure code, or {@code closed}
   * for a connection closed unanswered), its {@code cause} (a syncbus refusal's name, or the
   * setting that refused it) and the {@code client}'s address (kept among the recent refusals, not
   * a label: one series per address would grow without bound).
   */
  public void refused(String status, String cause, String client) {
    recentRefusals.add(status, cause, client);
    refusals.computeIfAbsent(status + " " + cause, key -> Counter.builder("syncbus_refusals")
        .description("Requests, frames and connections refused, by status and cause")
        .tag("status", status).tag("cause", cause).register(registry)).increment();
  }

  /** A frame of {@code type} received from a bridge client ({@code send}, {@code register}, …). */
  public void bridgeFrame(String type) {
    frames.computeIfAbsent(type, key -> Counter.builder("syncbus_bridge_frames")
        .description("Frames received from bridge clients, by type")
        .tag("type", type).register(registry)).increment();
  }

  /** The count of open connections on {@code port} ({@code kind}: {@code http} or {@code bridge}), to add to and take from. */
  public AtomicLong connections(int port, String kind) {
    return connections.computeIfAbsent(port + " " + kind, key -> {
      AtomicLong open = new AtomicLong();
      Gauge.builder("syncbus_connections", open, AtomicLong::get)
          .description("Open connections, by port")
          .tag("port", Integer.toString(port)).tag("kind", kind).register(registry);
      return open;
    });
  }

  /** The cluster as this node sees it: its members and whether its side holds a majority. */
  public void cluster(IntSupplier members, BooleanSupplier quorum) {
    Gauge.builder("syncbus_cluster_members", members, IntSupplier::getAsInt)
        .description("Members of the cluster this node sees").register(registry);
    Gauge.builder("syncbus_cluster_quorum", quorum, q -> q.getAsBoolean() ? 1 : 0)
        .description("1 when this node's side of the cluster holds a majority of cluster.members").register(registry);
  }

  /** The last refusals, with their clients' addresses. */
  public RecentRefusals recentRefusals() {
    return recentRefusals;
  }

  /** The registry meters are made on (tests, and code that counts something of its own). */
  public MeterRegistry registry() {
    return registry;
  }
}
