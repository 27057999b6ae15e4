package org.syncbus.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide count of open subscribers per queue, shared by every edge instance of the node
 * ({@code -instances N}): what {@code /queues/Q/info} reports as {@code subscribers}.
 */
public final class SubscriberCounts {
  private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** The count of open subscribers of {@code queue} on this node. */
  public AtomicInteger of(String queue) {
    return counts.computeIfAbsent(queue, name -> new AtomicInteger());
  }
}
