package org.syncbus.limits;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts the connections open on every port of the node together and turns new ones away past
 * {@code limits.maxConnections}, or past {@code limits.maxConnectionsPerAddress} from one client
 * address. Descriptors are finite: a node that accepted every connection would, at the open-files
 * limit, stop accepting its own files, cluster links and the clients it already serves.
 *
 * <p>Connections already admitted are never closed by a lower limit set later: the limits only
 * decide admissions. Shared by every edge of the node (several event loops), so synchronised;
 * admissions are rare next to the lines written on connections.
 */
public final class ConnectionGate {
  /** What became of a connection that asked to be admitted. */
  public enum Verdict {
    ADMITTED,
    /** {@code limits.maxConnections} connections are open. */
    NODE_FULL,
    /** {@code limits.maxConnectionsPerAddress} connections are open from the same address. */
    ADDRESS_FULL
  }

  private long max;
  private long maxPerAddress;
  private long open;
  private final Map<String, Integer> openByAddress = new HashMap<>();

  /** @param maxPerAddress 0 for no limit per address */
  public ConnectionGate(long max, long maxPerAddress) {
    limits(max, maxPerAddress);
  }

  /** New limits for later admissions. */
  public synchronized void limits(long max, long maxPerAddress) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
  }

  /** Admits a connection from {@code address} and counts it, or says why not (counting nothing). */
  public synchronized Verdict admit(String address) {
    if (open >= max) {
      return Verdict.NODE_FULL;
    }
    int fromAddress = openByAddress.getOrDefault(address, 0);
    if (maxPerAddress > 0 && fromAddress >= maxPerAddress) {
      return Verdict.ADDRESS_FULL;
    }
    open++;
    openByAddress.put(address, fromAddress + 1);
    return Verdict.ADMITTED;
  }

  /** Forgets an admitted connection from {@code address} that closed. */
  public synchronized void release(String address) {
    Integer fromAddress = openByAddress.get(address);
    if (fromAddress == null) {
      return;
    }
    open--;
    if (fromAddress == 1) {
      openByAddress.remove(address);
    } else {
      openByAddress.put(address, fromAddress - 1);
    }
  }

  public synchronized long open() {
    return open;
  }

  public synchronized long max() {
    return max;
  }
}
