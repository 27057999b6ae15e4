package org.syncbus.stream;

import org.syncbus.contract.Addresses;

/**
 * The internal addresses between a queue's owner and the edges' mirrors; not part of the public
 * contract ({@link Addresses}): {@code syncbus.Q.stream} carries {@link StreamEvent}s from the
 * owner to every mirror, {@code syncbus.Q.sync} hands a mirror the owner's backlog
 * ({@link SyncReply}). In a cluster the owner also answers at addresses of its own node,
 * {@code syncbus.Q.apply.NODE} and {@code syncbus.Q.sync.NODE}: an edge whose mirror knows the
 * owner sends there, so that a request waiting on an owner that left the cluster cannot have been
 * answered by the next one, and none is routed to a node that left.
 */
public final class StreamAddresses {
  private StreamAddresses() {}

  public static String stream(String queue) {
    return Addresses.PREFIX + queue + ".stream";
  }

  public static String sync(String queue) {
    return Addresses.PREFIX + queue + ".sync";
  }

  /** The owner of {@code queue} on node {@code node}, and no other, for batches. */
  public static String applyAt(String queue, String node) {
    return Addresses.apply(queue) + "." + node;
  }

  /** The owner of {@code queue} on node {@code node}, and no other, for its backlog. */
  public static String syncAt(String queue, String node) {
    return sync(queue) + "." + node;
  }
}
