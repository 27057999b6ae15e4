package org.syncbus.http;

import java.util.List;
import java.util.function.Consumer;

/**
 * The cluster as an edge needs to see it (README, "Cluster"): whether this node's side holds the
 * majority writes need ({@code /health}'s {@code quorum}), its members (the console), which node left (requests waiting on
 * it fail at once), and when this node's side of a split cluster merged into the other (every
 * mirror resynchronises with the owner). The node's wiring hands one to its edges; handlers may be
 * called on any thread.
 */
public interface ClusterView {
  /** Whether the node runs in a cluster at all; {@code /health} reports a quorum only then. */
  boolean clustered();

  /** Whether this node's side of the cluster holds a majority of {@code cluster.members}. */
  boolean quorum();

  /** The ids of the members this node sees now, itself included; empty on a node on its own. */
  List<String> members();

  /** Calls {@code handler} with the id of every node that leaves the cluster; returns what stops it. */
  Runnable onNodeLeft(Consumer<String> handler);

  /** Calls {@code handler} whenever this node's side of a split cluster merged into the other; returns what stops it. */
  Runnable onMerged(Runnable handler);

  /** A node on its own: no quorum to lose, no member to leave, nothing to merge. */
  ClusterView SINGLE_NODE = new ClusterView() {
    @Override
    public boolean clustered() {
      return false;
    }

    @Override
    public boolean quorum() {
      return true;
    }

    @Override
    public List<String> members() {
      return List.of();
    }

    @Override
    public Runnable onNodeLeft(Consumer<String> handler) {
      return () -> { };
    }

    @Override
    public Runnable onMerged(Runnable handler) {
      return () -> { };
    }
  };
}
