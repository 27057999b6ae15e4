package org.syncbus.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The meters of one queue on one node, labelled {@code queue}: what its owner does (batches
 * applied, apply and replication latency) on the node that owns it, and what every node's edges
 * serve (records, bytes, {@code seq}, subscribers by kind, lines and bytes delivered, slow
 * subscribers cut, stream starts, retained log, owner changes seen).
 *
 * <p>The queue's state (records, bytes, seq, retained bytes) is set by whoever serves it after each
 * batch, as plain values the gauges read at scrape time: with several edges ({@code -instances N})
 * each sets the same values.
 *
 * <p>Beside the meters, plain totals of what the console charts ({@link #batchesServed()},
 * {@link #deliveredLines()}, {@link #slowSubscribersCut()}): Micrometer's meters count nothing while
 * metrics are off, and the console works either way.
 */
public final class QueueMeters {
  /** What a subscriber follows the queue with. */
  public enum Kind {
    /** {@code /poll}, in either format. */
    POLL,
    /** {@code /events}. */
    EVENTS,
    /** A registration on {@code syncbus.Q.updates} through a bridge. */
    BRIDGE
  }

  /** How a stream started: with the backlog, resumed after a batch, or reset with the backlog after a failed resume. */
  public enum Start { SNAPSHOT, RESUMED, RESET }

  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final String queue;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong retainedBytes = new AtomicLong();
  private final AtomicLong linesTotal = new AtomicLong();
  private long batchesTotal;
  private String lastBatchEpoch;
  private long lastBatchSeq;
  private final AtomicLong slowCutTotal = new AtomicLong();
  private final AtomicReference<Gauge> seqGauge = new AtomicReference<>();
  private final AtomicReference<String> owner = new AtomicReference<>();
  private final Map<Kind, AtomicInteger> subscribers = new EnumMap<>(Kind.class);
  private final Map<Start, Counter> starts = new EnumMap<>(Start.class);
  private final Counter applied;
  private final Timer applyLatency;
  private final Timer replicationLatency;
  private final Counter lines;
  private final Counter lineBytes;
  private final Counter slowCut;
  private final Counter ownerChanges;

  QueueMeters(MeterRegistry registry, String queue) {
    this.registry = registry;
    this.queue = queue;
    gauge("syncbus_queue_records", records, "Records in the queue's backlog, as this node serves it");
    gauge("syncbus_queue_bytes", bytes, "Bytes of the backlog's records, each as its update element");
    gauge("syncbus_retained_bytes", retainedBytes, "Bytes of the retained log kept for resuming clients");
    for (Kind kind : Kind.values()) {
      AtomicInteger count = new AtomicInteger();
      subscribers.put(kind, count);
      Gauge.builder("syncbus_subscribers", count, AtomicInteger::get)
          .description("Open subscribers on this node, by kind")
          .tag("queue", queue).tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
    }
    for (Start start : Start.values()) {
      starts.put(start, Counter.builder("syncbus_stream_starts")
          .description("Streams opened: with the backlog (snapshot), resumed after a batch, or reset after a failed resume")
          .tag("queue", queue).tag("start", start.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    applied = counter("syncbus_batches_applied", "Batches applied by the queue's owner on this node");
    applyLatency = timer("syncbus_apply", "From a batch's arrival at its owner to its acknowledgement (stored)");
    replicationLatency = timer("syncbus_replication", "Storing a group of batches in the replicated history");
    lines = counter("syncbus_delivered_lines", "Lines (or events) written to subscribers of this node");
    lineBytes = counter("syncbus_delivered_bytes", "Bytes of the lines written to subscribers of this node");
    slowCut = counter("syncbus_slow_subscribers_cut", "Subscribers disconnected for being too far behind");
    ownerChanges = counter("syncbus_owner_changes", "Changes of the queue's owner seen by this node");
  }

  private void gauge(String name, AtomicLong value, String description) {
    Gauge.builder(name, value, AtomicLong::get).description(description).tag("queue", queue).register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).tag("queue", queue).register(registry);
  }

  private Timer timer(String name, String description) {
    return Timer.builder(name).description(description).tag("queue", queue)
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  /** The queue as served now: its records and their bytes, and its history's epoch and seq. */
  public void state(long records, long bytes, String epoch, long seq) {
    this.records.set(records);
    this.bytes.set(bytes);
    this.seq.set(seq);
    Gauge current = seqGauge.get();
    if (current == null || !epoch.equals(current.getId().getTag("epoch"))) {
      Gauge next = Gauge.builder("syncbus_queue_seq", this.seq, AtomicLong::get)
          .description("The seq of the queue's last batch, labelled with its history's epoch")
          .tag("queue", queue).tag("epoch", epoch).register(registry);
      Gauge replaced = seqGauge.getAndSet(next);
      if (replaced != null && replaced != next) {
        registry.remove(replaced);
      }
    }
  }

  public void retainedBytes(long bytes) {
    retainedBytes.set(bytes);
  }

  /** The owner this node's mirror follows; a change from a known owner to another counts. */
  public void owner(String node) {
    String before = owner.getAndSet(node);
    if (before != null && node != null && !before.equals(node)) {
      ownerChanges.increment();
    }
  }

  public AtomicInteger subscribers(Kind kind) {
    return subscribers.get(kind);
  }

  public void started(Start start) {
    starts.get(start).increment();
  }

  /** A batch applied by the owner, acknowledged {@code nanos} after it arrived. */
  public void applied(long nanos) {
    applied.increment();
    applyLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void replicated(long nanos) {
    replicationLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One batch written to {@code subscribers} subscribers, {@code bytes} bytes in all. */
  public void delivered(int subscribers, long bytes) {
    if (subscribers > 0) {
      linesTotal.addAndGet(subscribers);
      lines.increment(subscribers);
      lineBytes.increment(bytes);
    }
  }

  public void slowSubscriberCut() {
    slowCutTotal.incrementAndGet();
    slowCut.increment();
  }

  /**
   * A batch applied by one of the node's mirrors. Every edge's mirror applies every batch
   * ({@code -instances N}): a batch counts once, when it is past the last one counted (or of
   * another epoch). A mirror that resynchronises counts nothing for the batches it skipped.
   */
  public synchronized void batchServed(String epoch, long seq) {
    if (!epoch.equals(lastBatchEpoch) || seq > lastBatchSeq) {
      lastBatchEpoch = epoch;
      lastBatchSeq = seq;
      batchesTotal++;
    }
  }

  /** Batches applied by this node's mirrors since it started, each once. */
  public synchronized long batchesServed() {
    return batchesTotal;
  }

  /** Lines (or events) written to this node's subscribers since it started. */
  public long deliveredLines() {
    return linesTotal.get();
  }

  /** Subscribers of this node disconnected for being too far behind, since it started. */
  public long slowSubscribersCut() {
    return slowCutTotal.get();
  }
}
