package org.syncbus.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The node's last refusals, newest first, for the console (README, "Console"): when, the status
 * and cause {@code /metrics} counts them by, and the client's address. Never a refusal's detail
 * text: a detail may quote what the client sent (a batch, a token), and the console shows no
 * secret.
 *
 * <p>Bounded ({@value #KEPT} entries): a client refused in a loop replaces older entries and grows
 * nothing. Written from every event loop of the node: thread-safe, one short lock per refusal.
 */
public final class RecentRefusals {
  /** How many refusals are kept. */
  public static final int KEPT = 100;

  /** One refusal: as counted ({@code status}, {@code cause}) and who it was for ({@code client}, an address). */
  public record Entry(Instant time, String status, String cause, String client) {}

  private final Clock clock;
  private final Deque<Entry> entries = new ArrayDeque<>();

  RecentRefusals(Clock clock) {
    this.clock = clock;
  }

  synchronized void add(String status, String cause, String client) {
    if (entries.size() == KEPT) {
      entries.removeLast();
    }
    entries.addFirst(new Entry(clock.instant(), status, cause, client));
  }

  /** The kept refusals, newest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }
}
