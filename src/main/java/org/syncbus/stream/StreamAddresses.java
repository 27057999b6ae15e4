package org.syncbus.stream;

import org.syncbus.contract.Addresses;

/**
 * The internal addresses between a queue's owner and the edges' mirrors; not part of the public
 * contract ({@link Addresses}): {@code syncbus.Q.stream} carries {@link StreamEvent}s from the
 * owner to every mirror, {@code syncbus.Q.sync} hands a mirror the owner's backlog
 * ({@link SyncReply}).
 */
public final class StreamAddresses {
  private StreamAddresses() {}

  public static String stream(String queue) {
    return Addresses.PREFIX + queue + ".stream";
  }

  public static String sync(String queue) {
    return Addresses.PREFIX + queue + ".sync";
  }
}
