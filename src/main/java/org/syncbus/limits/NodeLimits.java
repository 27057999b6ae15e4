package org.syncbus.limits;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.logging.Logger;
import org.syncbus.config.SyncbusConfig;

/**
 * The node-wide bounds every edge shares (README, "Limits"): the connections open on all its
 * ports ({@link ConnectionGate}) and the request bodies held in memory ({@link BodyBudget}).
 *
 * <p>Settings left {@link SyncbusConfig.Limits#AUTOMATIC} are worked out from the machine once, at
 * start: connections from the open-files limit, minus a {@linkplain #reserve(long) reserve} for
 * the node's own files, cluster links and outgoing connections; bodies from a quarter of the
 * maximum heap. A configured connection limit above what the descriptors allow is kept (the
 * operator may raise {@code ulimit -n} later) but warned about.
 */
public final class NodeLimits {
  private static final Logger LOG = Logger.getLogger(NodeLimits.class.getName());
  /** Descriptors kept for the node itself: a tenth of the limit, at least 64, at most 1,024. */
  private static final long MIN_RESERVE = 64;
  private static final long MAX_RESERVE = 1024;

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
