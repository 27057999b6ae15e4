package org.syncbus.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A node's view of the cluster's membership, one per node, shared by its owners and its edges:
 * which node left (by its Vert.x node id, as {@code /queues/Q/info} names owners), which joined,
 * whether this node's side of the cluster merged into another after a split, and whether it holds
 * the majority writes need ({@link ClusterSetup}).
 *
 * <p>Hazelcast calls it on its event threads; every handler is called there and moves to its own
 * context. {@link #stateChanged} is Hazelcast's lifecycle callback, public so that a test can play
 * a merge without splitting a network.
 */
public final class HazelcastMembership implements MembershipListener, LifecycleListener {
  /** Where vertx-hazelcast keeps a member's Vert.x node id among the Hazelcast member's attributes. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  private static final Logger LOG = Logger.getLogger(HazelcastMembership.class.getName());

  private final HazelcastInstance hazelcast;
  private final int members;
  private final boolean protectedByMajority;
  private final List<Consumer<String>> left = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> joined = new CopyOnWriteArrayList<>();
  private final List<Runnable> merged = new CopyOnWriteArrayList<>();
  /** Between Hazelcast's MERGING and its MERGED (or MERGE_FAILED): this node is joining another side. */
  private volatile boolean merging;

  private HazelcastMembership(HazelcastInstance hazelcast, int members) {
    this.hazelcast = hazelcast;
    this.members = members;
    this.protectedByMajority = ClusterSetup.minimumSize(hazelcast) > 1;
  }

  /** Follows {@code hazelcast}'s membership for a cluster meant to have {@code members} nodes ({@code cluster.members}). */
  public static HazelcastMembership follow(HazelcastInstance hazelcast, int members) {
    HazelcastMembership membership = new HazelcastMembership(hazelcast, members);
    hazelcast.getCluster().addMembershipListener(membership);
    hazelcast.getLifecycleService().addLifecycleListener(membership);
    return membership;
  }

  /**
   * Whether this node's side of the cluster holds a majority of {@code cluster.members}, as
   * Hazelcast's split-brain protection last found (it finds out once Hazelcast removed the members
   * it lost, and when members join); true without protection ({@code cluster.members} 1).
   */
  public boolean quorum() {
    return !protectedByMajority
        || hazelcast.getSplitBrainProtectionService().getSplitBrainProtection(ClusterSetup.PROTECTION).hasMinimumSize();
  }

  /** The members of the cluster this node sees now, itself included. */
  public int size() {
    return hazelcast.getCluster().getMembers().size();
  }

  /** The node ids of the members of the cluster this node sees now, itself included (Hazelcast's local view: no call over the network). */
  public List<String> nodes() {
    return hazelcast.getCluster().getMembers().stream().map(HazelcastMembership::nodeId).toList();
  }

  /** Calls {@code handler} with the node id of every member Hazelcast removes; returns what stops it. */
  public Runnable onLeft(Consumer<String> handler) {
    left.add(handler);
    return () -> left.remove(handler);
  }

  /** Calls {@code handler} with the node id of every member that joins; returns what stops it. */
  public Runnable onJoined(Consumer<String> handler) {
    joined.add(handler);
    return () -> joined.remove(handler);
  }

  /**
   * Whether this node is merging into another side of a split cluster now: Hazelcast restarts it
   * as a new member of the other side, and until the merge is over its view of the members and of
   * the replicated state is in flux. An owner is not taken over meanwhile ({@code
   * HazelcastReplication}): once in the cluster's history, a node one step into a merge saw a live
   * owner as gone and took its queue over.
   */
  public boolean merging() {
    return merging;
  }

  /** Calls {@code handler} whenever this node's side of a split cluster merged into the other; returns what stops it. */
  public Runnable onMerged(Runnable handler) {
    merged.add(handler);
    return () -> merged.remove(handler);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    int size = event.getMembers().size();
    if (size > members) {
      LOG.warning(() -> "cluster: " + size + " members, more than cluster.members (" + members + "): a split "
          + "could leave a majority on each side; set cluster.members on every node to the cluster's size");
    }
    String node = nodeId(event.getMember());
    joined.forEach(handler -> handler.accept(node));
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String node = nodeId(event.getMember());
    left.forEach(handler -> handler.accept(node));
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    switch (event.getState()) {
      case MERGING -> merging = true;
      case MERGED, MERGE_FAILED -> merging = false;
      default -> { }
    }
    if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
      LOG.info("cluster: this node's side of a split cluster merged into the other; its mirrors resynchronise "
          + "and its owners check that they still own their queues");
      merged.forEach(Runnable::run);
    }
  }

  private static String nodeId(Member member) {
    String id = member.getAttribute(NODE_ID_ATTRIBUTE);
    return id == null ? member.getUuid().toString() : id;
  }
}
