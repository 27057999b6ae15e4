package org.syncbus.limits;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Collection;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.IdempotencyKeys;

/**
 * The node-wide bounds every edge shares (README, "Limits"): the connections open on all its
 * ports ({@link ConnectionGate}) and the request bodies held in memory ({@link BodyBudget}).
 *
 * <p>Settings left {@link SyncbusConfig.Limits#AUTOMATIC} are worked out from the machine once, at
 * start: connections from the open-files limit, minus a {@linkplain #reserve(long) reserve} for
 * the node's own files, cluster links and outgoing connections; bodies from a quarter of the
 * maximum heap. A configured connection limit above what the descriptors allow is kept (the
 * operator may raise {@code ulimit -n} later) but warned about.
 *
 * <p>What the queues may hold is bounded by their own settings ({@code queues.Q.limits.*},
 * {@code queues.Q.retain.bytes}); {@link #queuesOverHeap} tells at start when those bounds
 * together exceed the maximum heap, from a model of what a queue keeps per record and per encoded
 * byte (README, "Sizing the heap"; measured by {@code QueueMemoryTest}).
 */
public final class NodeLimits {
  private static final Logger LOG = Logger.getLogger(NodeLimits.class.getName());
  /** Descriptors kept for the node itself: a tenth of the limit, at least 64, at most 1,024. */
  private static final long MIN_RESERVE = 64;
  private static final long MAX_RESERVE = 1024;
  /**
   * The heap a record takes besides its encoded bytes: its parsed form's objects, its key, and its
   * entries in the owner's backlog, the owner's encoded backlog and each edge's mirror. Measured
   * about 1 KB for records of six small fields, 0.5 KB for two; rounded up.
   */
  static final long RECORD_HEAP_BYTES = 1280;
  /**
   * The copies of a record's encoded bytes in heap: its element (shared by the owner and the mirrors
   * of its node) and the text in its parsed form; and, between two batches, the snapshot an edge
   * last served, as its array and its framed line.
   */
  static final long BACKLOG_BYTE_COPIES = 4;
  /**
   * The heap one remembered idempotency key may take in the owner, at its longest: the key's record
   * and its entry ({@link IdempotencyKeys#HEAP_BYTES_PER_KEY}) and 128 characters. In a cluster,
   * the replicated history holds the keys again on the nodes owning its partition and backup.
   */
  static final long KEY_HEAP_BYTES = IdempotencyKeys.HEAP_BYTES_PER_KEY + IdempotencyKeys.MAX_LENGTH;
  private static final double MB = 1024 * 1024;

  private final long openFiles;
  private final long maxHeap;
  private final ConnectionGate connections;
  private final BodyBudget bodies;

  private NodeLimits(long openFiles, long maxHeap, SyncbusConfig.Limits limits) {
    this.openFiles = openFiles;
    this.maxHeap = maxHeap;
    this.connections = new ConnectionGate(maxConnections(limits), limits.maxConnectionsPerAddress());
    this.bodies = new BodyBudget(bufferedBodyBytes(limits));
  }

  /** The limits of a node on this machine (its open-files limit and maximum heap). */
  public static NodeLimits of(SyncbusConfig.Limits limits) {
    NodeLimits node = new NodeLimits(openFilesLimit(), Runtime.getRuntime().maxMemory(), limits);
    node.warnAbout(limits);
    return node;
  }

  /** The limits of a node with the given machine figures (tests). */
  static NodeLimits of(long openFiles, long maxHeap, SyncbusConfig.Limits limits) {
    return new NodeLimits(openFiles, maxHeap, limits);
  }

  public ConnectionGate connections() {
    return connections;
  }

  public BodyBudget bodies() {
    return bodies;
  }

  /** Takes reloaded limits for what comes next; open connections and bodies in progress stay. */
  public void reconfigure(SyncbusConfig.Limits limits) {
    connections.limits(maxConnections(limits), limits.maxConnectionsPerAddress());
    bodies.limit(bufferedBodyBytes(limits));
    warnAbout(limits);
  }

  /**
   * The heap {@code queue}'s bounds let it take: {@code limits.records} records of
   * {@value #RECORD_HEAP_BYTES} bytes, {@value #BACKLOG_BYTE_COPIES} copies of {@code limits.bytes},
   * the retained log, which {@code retain.bytes} bounds as it is counted, and {@code idempotency.keys}
   * keys of {@value #KEY_HEAP_BYTES} bytes. A double: bounds may be set as high as {@code Long.MAX_VALUE}.
   */
  static double heapBound(SyncbusConfig.Queue queue) {
    return (double) queue.limits().records() * RECORD_HEAP_BYTES
        + (double) queue.limits().bytes() * BACKLOG_BYTE_COPIES
        + queue.retain().bytes()
        + (double) queue.idempotency().keys() * KEY_HEAP_BYTES;
  }

  /** One line naming the figures when {@code queues}' bounds together exceed the maximum heap; null when they fit. */
  String queuesOverHeap(Collection<SyncbusConfig.Queue> queues) {
    double total = queues.stream().mapToDouble(NodeLimits::heapBound).sum();
    if (total <= maxHeap) {
      return null;
    }
    String each = queues.stream().map(queue -> queue.name() + " " + megabytes(heapBound(queue)))
        .collect(Collectors.joining(", "));
    return "queues: their bounds let them hold about " + megabytes(total) + " of heap (" + each + "; each "
        + "limits.records x " + RECORD_HEAP_BYTES + " bytes + limits.bytes x " + BACKLOG_BYTE_COPIES
        + " + retain.bytes + idempotency.keys x " + KEY_HEAP_BYTES + "), more than the maximum heap of " + megabytes(maxHeap)
        + ": lower queues.Q.limits.records, queues.Q.limits.bytes, queues.Q.retain.bytes or queues.Q.idempotency.keys, or raise -Xmx (README, \"Sizing the heap\")";
  }

  /** Warns (one line) when the queues' bounds together exceed the maximum heap. */
  public void warnAboutQueues(Collection<SyncbusConfig.Queue> queues) {
    String warning = queuesOverHeap(queues);
    if (warning != null) {
      LOG.warning(warning);
    }
  }

  private static String megabytes(double bytes) {
    return String.format(Locale.ROOT, "%,.0f MB", bytes / MB);
  }

  long maxConnections(SyncbusConfig.Limits limits) {
    return limits.maxConnections() == SyncbusConfig.Limits.AUTOMATIC ? usableDescriptors() : limits.maxConnections();
  }

  long bufferedBodyBytes(SyncbusConfig.Limits limits) {
    return limits.bufferedBodyBytes() == SyncbusConfig.Limits.AUTOMATIC ? maxHeap / 4 : limits.bufferedBodyBytes();
  }

  /** The descriptors clients may have: the open-files limit minus the node's reserve. */
  long usableDescriptors() {
    return Math.max(1, openFiles - reserve(openFiles));
  }

  static long reserve(long openFiles) {
    return Math.max(MIN_RESERVE, Math.min(MAX_RESERVE, openFiles / 10));
  }

  private void warnAbout(SyncbusConfig.Limits limits) {
    if (limits.maxConnections() != SyncbusConfig.Limits.AUTOMATIC && limits.maxConnections() > usableDescriptors()) {
      LOG.warning("limits.maxConnections is " + limits.maxConnections() + " but the open-files limit is "
          + openFiles + " (" + reserve(openFiles) + " kept for the node itself): raise ulimit -n, or "
          + "clients will be refused by the system before this limit");
    }
  }

  private static long openFilesLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 65_536;
  }
}
