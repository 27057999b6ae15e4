package org.syncbus.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import java.util.Map;

/**
 * A write to the queues map that runs only while the member running it sees a majority of
 * {@code cluster.members}, counted in Hazelcast's member list at the moment it runs.
 *
 * <p>Hazelcast's split-brain protection ({@link ClusterSetup}) refuses the same writes, but it
 * learns of a membership change on an executor of its own, a moment after the member list changed
 * and after the partitions a lost member held may have moved here: a take-over triggered by the
 * very removal that ends the majority could run in between. Counting the member list inside the
 * write, on the partition thread, leaves no such moment. The backup copy runs the write unguarded:
 * what the primary applied, its backups apply too.
 */
final class Majority<R> implements EntryProcessor<String, QueueRecord, R>, HazelcastInstanceAware {
  private static final long serialVersionUID = 1L;

  private final int minimum;
  private final EntryProcessor<String, QueueRecord, R> write;
  private transient HazelcastInstance hazelcast;

  Majority(int minimum, EntryProcessor<String, QueueRecord, R> write) {
    this.minimum = minimum;
    this.write = write;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  @Override
  public R process(Map.Entry<String, QueueRecord> entry) {
    int members = hazelcast == null ? 0 : hazelcast.getCluster().getMembers().size();
    if (members < minimum) {
      throw new SplitBrainProtectionException(ClusterSetup.PROTECTION + ": " + members
          + " members in this side of the cluster, " + minimum + " needed");
    }
    return write.process(entry);
  }

  @Override
  public EntryProcessor<String, QueueRecord, R> getBackupProcessor() {
    return write.getBackupProcessor();
  }
}
