package org.syncbus.console;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per queue, what the node did in each of the last {@value #SECONDS} seconds: batches served (as
 * its mirrors applied them) and lines delivered to this node's subscribers. The console draws them as
 * sparklines; they are kept from the node's start whether or not a console is open, so that a page
 * opened later shows the last five minutes.
 *
 * <p><b>How it counts.</b> Once a second ({@link #tick}) each queue's running totals are read and
 * the difference from the last tick goes into the next slot of a ring. Counting on the hot paths
 * stays what {@code /metrics} already pays (a few increments per batch); a tick costs a few reads
 * per queue. A queue's first tick (at the node's start, or when a reload adds it) is its baseline.
 *
 * <p><b>Bounded:</b> two arrays of {@value #SECONDS} longs per queue; a queue no longer configured
 * is forgotten at the next tick. Ticked on one context, read from the edges' event loops: each
 * queue's ring is guarded by its own lock.
 */
final class QueueRates {
  static final int SECONDS = 300;

  /** A queue's running totals at one tick: batches served and lines delivered so far. */
  record Totals(long batches, long lines) {}

  /** One queue's last seconds, oldest first: batches and delivered lines per second. */
  record History(long[] batches, long[] lines) {}

  private final Map<String, Ring> rings = new ConcurrentHashMap<>();

  /** One second passed; {@code totals} are the configured queues' totals now. */
  void tick(Map<String, Totals> totals) {
    rings.keySet().retainAll(totals.keySet());
    totals.forEach((queue, now) -> rings.computeIfAbsent(queue, name -> new Ring(now)).add(now));
  }

  /** The last seconds of {@code queue}; all zero when it was never ticked. */
  History history(String queue) {
    Ring ring = rings.get(queue);
    return ring == null ? new History(new long[SECONDS], new long[SECONDS]) : ring.history();
  }

  private static final class Ring {
    private final long[] batches = new long[SECONDS];
    private final long[] lines = new long[SECONDS];
    /** The slot the next second goes into: the oldest one. */
    private int next;
    private Totals last;

    Ring(Totals first) {
      last = first;
    }

    synchronized void add(Totals now) {
      batches[next] = now.batches() - last.batches();
      lines[next] = now.lines() - last.lines();
      next = (next + 1) % SECONDS;
      last = now;
    }

    synchronized History history() {
      return new History(oldestFirst(batches), oldestFirst(lines));
    }

    private long[] oldestFirst(long[] ring) {
      long[] ordered = new long[SECONDS];
      System.arraycopy(ring, next, ordered, 0, SECONDS - next);
      System.arraycopy(ring, 0, ordered, SECONDS - next, next);
      return ordered;
    }
  }
}
