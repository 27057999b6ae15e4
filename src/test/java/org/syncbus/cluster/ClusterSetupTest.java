package org.syncbus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.syncbus.owner.Replication;

/**
 * What syncbus puts into Hazelcast's configuration for "majority or nothing" (README, "Cluster"),
 * whatever {@code cluster.xml} says, and that it holds on real members: a write whose backup does
 * not answer fails instead of passing for stored.
 */
class ClusterSetupTest {
  /** Hazelcast narrates every join at INFO; held so the level is not collected. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  static {
    HAZELCAST.setLevel(Level.WARNING);
  }

  private final List<HazelcastInstance> started = new ArrayList<>();

  @AfterEach
  void stopMembers() {
    started.forEach(HazelcastInstance::shutdown);
  }

  private static Config xml(String body) {
    String text = "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\">" + body + "</hazelcast>";
    return new XmlConfigBuilder(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))).build();
  }

  private static MapConfig queues(Config config) {
    return config.getMapConfigs().get(HazelcastReplication.MAP);
  }

  /** One row per cluster size: the majority writes need, and the backups every majority reaches. */
  @ParameterizedTest(name = "{0} members: {1} needed, {2} backups")
  @CsvSource({"2, 2, 1", "3, 2, 1", "4, 3, 1", "5, 3, 2", "7, 4, 3", "13, 7, 6"})
  void writesNeedAStrictMajorityAndEveryMajorityHoldsACopy(int members, int majority, int backups) {
    Config config = ClusterSetup.protect(new Config(), members);
    SplitBrainProtectionConfig protection = config.getSplitBrainProtectionConfigs().get(ClusterSetup.PROTECTION);
    assertTrue(protection.isEnabled());
    assertEquals(majority, protection.getMinimumClusterSize());
    assertEquals(SplitBrainProtectionOn.READ_WRITE, protection.getProtectOn(), "take-overs read and write");
    assertEquals(ClusterSetup.PROTECTION, queues(config).getSplitBrainProtectionName());
    assertEquals(backups, queues(config).getBackupCount());
    assertTrue(backups + 1 + majority > members, "the copies of a write and any majority share a member");
  }

  @Test
  void oneMemberRunsWithoutProtection() {
    Config config = ClusterSetup.protect(new Config(), 1);
    assertEquals(Map.of(), config.getSplitBrainProtectionConfigs());
    assertNull(queues(config).getSplitBrainProtectionName());
    assertEquals(1, queues(config).getBackupCount());
  }

  @Test
  void whatClusterXmlSaysOfTheQueuesMapIsOverridden() {
    Config config = xml("""
        <properties><property name="hazelcast.operation.fail.on.indeterminate.state">false</property></properties>
        <split-brain-protection name="syncbus-majority" enabled="false"><minimum-cluster-size>5</minimum-cluster-size>
        </split-brain-protection>
        <map name="syncbus.queues"><in-memory-format>BINARY</in-memory-format><backup-count>0</backup-count>
          <async-backup-count>1</async-backup-count>
          <merge-policy>com.hazelcast.spi.merge.PassThroughMergePolicy</merge-policy></map>
        <map name="syncbus.*"><backup-count>0</backup-count></map>
        """);
    ClusterSetup.protect(config, 3);
    assertEquals("true", config.getProperty("hazelcast.operation.fail.on.indeterminate.state"));
    SplitBrainProtectionConfig protection = config.getSplitBrainProtectionConfigs().get(ClusterSetup.PROTECTION);
    assertTrue(protection.isEnabled());
    assertEquals(2, protection.getMinimumClusterSize());
    MapConfig queues = queues(config);
    assertEquals(InMemoryFormat.OBJECT, queues.getInMemoryFormat());
    assertEquals(1, queues.getBackupCount());
    assertEquals(0, queues.getAsyncBackupCount());
    assertEquals(PutIfAbsentMergePolicy.class.getName(), queues.getMergePolicyConfig().getPolicy(),
        "a merge keeps the history of the side merged into");
    assertEquals(0, config.getMapConfigs().get("syncbus.*").getBackupCount(), "other maps are left alone");
  }

  /** The backup member's processor for one key holds its partition thread until the test lets it go. */
  static final CountDownLatch BACKUP_HELD = new CountDownLatch(1);

  /** Does nothing on the primary; on the backup, blocks (bounded) the partition thread its backups run on. */
  record HoldTheBackup() implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      return true;
    }

    @Override
    public EntryProcessor<String, QueueRecord, Boolean> getBackupProcessor() {
      return new Held();
    }
  }

  record Held() implements EntryProcessor<String, QueueRecord, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, QueueRecord> entry) {
      try {
        return BACKUP_HELD.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** The shipped {@code conf/cluster.xml}, for a cluster of its own. */
  private static Config shipped(String clusterName) throws IOException {
    try (InputStream xml = new FileInputStream("conf/cluster.xml")) {
      return new XmlConfigBuilder(xml).build().setClusterName(clusterName);
    }
  }

  private HazelcastInstance member(String clusterName) throws IOException {
    Config config = shipped(clusterName);
    // A backup not acknowledged within a second is missing (the default waits five).
    config.setProperty("hazelcast.operation.backup.timeout.millis", "1000");
    HazelcastInstance member = Hazelcast.newHazelcastInstance(ClusterSetup.protect(config, 2));
    started.add(member);
    return member;
  }

  /**
   * The shipped file chooses 127.0.0.1: the member listens there only, where Hazelcast's default
   * would listen on every interface and let any machine that reaches this one talk to the cluster.
   */
  @Test
  void memberListensOnItsInterfaceOnly() throws Exception {
    InetAddress beyondLoopback = NetworkInterface.networkInterfaces()
        .flatMap(NetworkInterface::inetAddresses)
        .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress())
        .findFirst().orElse(null);
    assumeTrue(beyondLoopback != null, "this machine has no address beyond loopback");
    HazelcastInstance member = Hazelcast.newHazelcastInstance(
        ClusterSetup.bindOnly(shipped("syncbus-test-" + UUID.randomUUID()), null));
    started.add(member);
    int port = member.getCluster().getLocalMember().getAddress().getPort();

    try (Socket socket = new Socket()) {
      assertThrows(IOException.class, () -> socket.connect(new InetSocketAddress(beyondLoopback, port), 2000),
          "the member's port " + port + " answers on " + beyondLoopback);
    }
  }

  @Test
  void clusterHostIsTheOnlyInterface() {
    Config config = ClusterSetup.bindOnly(xml("""
        <network><interfaces enabled="false"><interface>127.0.0.1</interface></interfaces></network>"""), "10.0.0.1");

    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("10.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
  }

  /**
   * Until Hazelcast removes a member that stopped answering, split-brain protection sees a
   * majority: what keeps an owner cut off with a minority from acknowledging is that its append
   * fails when the backup does not answer.
   */
  @Test
  void anAppendWhoseBackupDoesNotAnswerFails() throws Exception {
    String name = "syncbus-test-" + UUID.randomUUID();
    HazelcastInstance first = member(name);
    CountDownLatch met = new CountDownLatch(1);
    first.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        met.countDown();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        // not awaited
      }
    });
    HazelcastInstance second = member(name);
    assertTrue(met.await(30, TimeUnit.SECONDS), "the two members did not meet");
    assertEquals(2, second.getCluster().getMembers().size());
    String queue = "q";
    IMap<String, QueueRecord> records = first.getMap(HazelcastReplication.MAP);
    Replication.History empty = new Replication.History("e", 0, 0, "[]", List.of(), List.of(), List.of());
    long term = records.executeOnKey(queue, new Majority<>(2, new Processors.Create("node", empty)));
    assertEquals(1, term);

    PartitionService partitions = first.getPartitionService();
    int partition = partitions.getPartition(queue).getPartitionId();
    String neighbour = null;
    for (int i = 0; neighbour == null; i++) {
      if (partitions.getPartition("k" + i).getPartitionId() == partition) {
        neighbour = "k" + i;
      }
    }
    CompletableFuture<Boolean> holding = records.submitToKey(neighbour, new HoldTheBackup()).toCompletableFuture();
    try {
      CompletableFuture<Boolean> append = records.submitToKey(queue, new Majority<>(2,
          new Processors.Append(term, List.of(new Replication.Entry(1, "[]", 0, null)), 10, 60_000))).toCompletableFuture();
      ExecutionException failed = null;
      try {
        Boolean stored = append.get(20, TimeUnit.SECONDS);
        throw new AssertionError("the append passed for stored (" + stored + ") though its backup never answered");
      } catch (ExecutionException e) {
        failed = e;
      } catch (TimeoutException e) {
        throw new AssertionError("the append neither failed nor succeeded within 20 s", e);
      }
      assertInstanceOf(IndeterminateOperationStateException.class, failed.getCause(), failed::toString);
    } finally {
      BACKUP_HELD.countDown();
    }
    assertSame(Boolean.TRUE, holding.handle((value, error) -> Boolean.TRUE).get(20, TimeUnit.SECONDS));
  }
}
