package org.syncbus.bridge;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.metrics.QueueMeters;

/**
 * What a bridge counts for {@code /metrics}: frames by type, refusals by code and cause, and its
 * clients' registrations on {@code syncbus.Q.updates} as the queue's {@code bridge} subscribers.
 * A connection's registrations end with it (a SockJS socket that closes says nothing of them), so
 * they are kept per connection. One per bridge verticle or SockJS router, used on its event loop.
 */
final class BridgeMeters {
  private final NodeMetrics metrics;
  private final Map<Object, Set<String>> registered = new HashMap<>();

  BridgeMeters(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  void frame(String type) {
    metrics.bridgeFrame(type);
  }

  /** A frame of {@code client} (its address) refused with {@code cause} (a {@link Refused}, or anything unexpected). */
  void refused(Throwable cause, String client) {
    Refusal refusal = cause instanceof Refused refused ? refused.refusal() : Refusal.UNEXPECTED;
    metrics.refused(Integer.toString(refusal.code()), refusal.name(), client);
  }

  /** {@code connection} registered on {@code address}: a subscriber when it is a queue's {@code updates}. */
  void registered(Object connection, String address) {
    QueueMeters queue = updatesOf(address);
    if (queue != null && registered.computeIfAbsent(connection, c -> new HashSet<>()).add(address)) {
      queue.subscribers(QueueMeters.Kind.BRIDGE).incrementAndGet();
    }
  }

  void unregistered(Object connection, String address) {
    Set<String> addresses = registered.get(connection);
    if (addresses != null && addresses.remove(address)) {
      updatesOf(address).subscribers(QueueMeters.Kind.BRIDGE).decrementAndGet();
      if (addresses.isEmpty()) {
        registered.remove(connection);
      }
    }
  }

  /** {@code connection} closed: its registrations are gone. */
  void closed(Object connection) {
    Set<String> addresses = registered.remove(connection);
    if (addresses != null) {
      addresses.forEach(address -> updatesOf(address).subscribers(QueueMeters.Kind.BRIDGE).decrementAndGet());
    }
  }

  private QueueMeters updatesOf(String address) {
    Matcher matcher = address == null ? null : Addresses.PUBLIC.matcher(address);
    return matcher != null && matcher.matches() && matcher.group(2).equals("updates")
        ? metrics.queue(matcher.group(1)) : null;
  }
}
