package org.syncbus.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.logging.Logger;
import org.syncbus.config.ConfigException;
import org.syncbus.config.SyncbusConfig;

/**
 * What syncbus needs of Hazelcast for "majority or nothing" (README, "Cluster"), put into a
 * Hazelcast {@link Config} before the member starts, whatever {@code cluster.xml} says: split-brain
 * protection must be configured before a member starts, so the launcher and the tests that build
 * clusters in one JVM both decorate their configuration here, and a node that finds its Hazelcast
 * without it refuses to start ({@link #check}).
 *
 * <ul>
 *   <li><b>Split-brain protection</b> {@value #PROTECTION}: reads and writes of the queues map
 *       (everything a take-over, an append, a compaction or a hand-over does) need at least a strict
 *       majority of {@code cluster.members} in this member's side of the cluster. A side without
 *       one stores nothing and takes nothing over. None with {@code cluster.members} 1.
 *   <li><b>Backups</b>: every write is held by enough members (the primary and its synchronous
 *       backups) that any majority includes one of them: {@code members - majority} backups, at
 *       least one. A majority that takes a queue over therefore always reads every batch that was
 *       acknowledged, wherever the split fell.
 *   <li><b>No silent backups</b>: {@code hazelcast.operation.fail.on.indeterminate.state}, so a
 *       write whose backup does not answer (a cut link, before Hazelcast removes the member) fails
 *       instead of passing for stored; nothing unreplicated is acknowledged.
 *   <li><b>Merging keeps the larger side's history</b>: when split sides merge, an entry that
 *       exists in the side merged into is kept ({@link PutIfAbsentMergePolicy}); the smaller side,
 *       which could not write, never overwrites it.
 * </ul>
 */
public final class ClusterSetup {
  /** The name of syncbus's split-brain protection in Hazelcast's configuration. */
  public static final String PROTECTION = "syncbus-majority";

  private static final Logger LOG = Logger.getLogger(ClusterSetup.class.getName());

  private ClusterSetup() {}

  /** Adds syncbus's protection for a cluster of {@code members} to {@code config}; returns it. */
  public static Config protect(Config config, int members) {
    SyncbusConfig.Cluster cluster = new SyncbusConfig.Cluster(members);
    config.setProperty(ClusterProperty.FAIL_ON_INDETERMINATE_OPERATION_STATE.getName(), "true");
    // By exact name, never a wildcard configuration that other maps share.
    MapConfig queues = config.getMapConfigs().computeIfAbsent(HazelcastReplication.MAP, MapConfig::new);
    queues.setName(HazelcastReplication.MAP)
        .setInMemoryFormat(InMemoryFormat.OBJECT)
        .setAsyncBackupCount(0)
        .setBackupCount(backups(cluster))
        .setMergePolicyConfig(new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(),
            MergePolicyConfig.DEFAULT_BATCH_SIZE));
    if (members > 1) {
      config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(PROTECTION, true, cluster.majority())
          .setProtectOn(SplitBrainProtectionOn.READ_WRITE));
      queues.setSplitBrainProtectionName(PROTECTION);
    } else {
      config.getSplitBrainProtectionConfigs().remove(PROTECTION);
      queues.setSplitBrainProtectionName(null);
    }
    return config;
  }

  /** Synchronous backups of the queues map for a cluster of {@code cluster.members()}. */
  static int backups(SyncbusConfig.Cluster cluster) {
    return Math.min(MapConfig.MAX_BACKUP_COUNT, Math.max(1, cluster.members() - cluster.majority()));
  }

  /**
   * The cluster manager of a node the launcher starts with {@code -cluster}: Hazelcast's
   * configuration found as vertx-hazelcast finds it ({@code -Dvertx.hazelcast.config=FILE}, else
   * {@code cluster.xml} on the classpath, the jar's own being {@code conf/cluster.xml}), protected
   * for {@code members} and {@linkplain #bindOnly bound} to this node's cluster address only.
   *
   * @param clusterHost the launcher's {@code -cluster-host}, or null
   */
  public static HazelcastClusterManager clusterManager(int members, String clusterHost) {
    Config config = ConfigUtil.loadConfig();
    if (config == null) {
      LOG.warning("cluster: no Hazelcast configuration found (-Dvertx.hazelcast.config, cluster.xml on the "
          + "classpath); using Hazelcast's defaults");
      config = new Config();
    }
    return new HazelcastClusterManager(bindOnly(protect(config, members), clusterHost));
  }

  /**
   * Makes Hazelcast listen on the member's own address only. By default it listens on every
   * interface ({@code hazelcast.socket.bind.any}), whatever {@code <interfaces>} says (that only
   * chooses the address it announces), which would open the cluster's port to whoever can reach
   * the machine. With {@code -cluster-host} that address is the interface, as for the event bus.
   */
  static Config bindOnly(Config config, String clusterHost) {
    config.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
    if (clusterHost != null) {
      config.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(clusterHost));
    }
    return config;
  }

  /**
   * Checks that {@code hazelcast} runs with the protection {@link #protect} gives a cluster of
   * {@code members} (a Vert.x started by another application may not). Blocking.
   *
   * @throws ConfigException naming {@code cluster.members} when it does not
   */
  public static void check(HazelcastInstance hazelcast, int members) {
    SyncbusConfig.Cluster cluster = new SyncbusConfig.Cluster(members);
    Config config = hazelcast.getConfig();
    MapConfig queues = config.getMapConfigOrNull(HazelcastReplication.MAP);
    if (queues == null || queues.getBackupCount() < backups(cluster)) {
      throw unprotected(members, "the map " + HazelcastReplication.MAP + " has fewer than " + backups(cluster)
          + " synchronous backups");
    }
    if (members > 1 && (minimumSize(hazelcast) != cluster.majority()
        || !PROTECTION.equals(queues.getSplitBrainProtectionName()))) {
      throw unprotected(members, "its split-brain protection does not require " + cluster.majority() + " members");
    }
  }

  private static ConfigException unprotected(int members, String why) {
    return new ConfigException("cluster.members: Hazelcast runs without syncbus's protection for " + members
        + " members (" + why + "); start the node with syncbus's launcher, or build Hazelcast's Config with "
        + ClusterSetup.class.getName() + ".protect(config, " + members + ")");
  }

  /** The fewest members a side of the cluster needs to write, as {@code hazelcast} was started with; 1 without protection. */
  static int minimumSize(HazelcastInstance hazelcast) {
    SplitBrainProtectionConfig protection = hazelcast.getConfig().getSplitBrainProtectionConfigs().get(PROTECTION);
    return protection == null || !protection.isEnabled() ? 1 : protection.getMinimumClusterSize();
  }
}
