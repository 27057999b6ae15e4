package org.syncbus.config;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The node's last configuration reloads, newest first, for the console (README, "Console"): what
 * each changed, by setting paths and queue names, which edits wait for a restart, or why the file
 * was refused. Names only, never values, as {@link ReloadPolicy.Outcome#summary()} logs them: a
 * rotated secret shows as its path and nothing more.
 *
 * <p>Bounded ({@value #KEPT} entries): a file rewritten in a loop cannot grow it. Written by the
 * node's reloader, read by the edges: thread-safe.
 */
public final class ReloadHistory {
  /** How many reloads are kept. */
  public static final int KEPT = 20;

  /**
   * One reload: when, the setting paths whose running values changed, the queues added and
   * removed, the restart-only settings that changed in the file but stay as they run, and the
   * reason the file was refused (then nothing else is set), or null.
   */
  public record Entry(Instant time, List<String> changed, List<String> added, List<String> removed,
                      List<String> ignored, String error) {
    public Entry {
      changed = List.copyOf(changed);
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      ignored = List.copyOf(ignored);
    }
  }

  private final Clock clock;
  private final Deque<Entry> entries = new ArrayDeque<>();

  public ReloadHistory(Clock clock) {
    this.clock = clock;
  }

  /** A reload carried out as {@code outcome} decided. */
  public void applied(ReloadPolicy.Outcome outcome) {
    add(new Entry(clock.instant(), outcome.changed(), outcome.added(), outcome.removed(), outcome.ignored(), null));
  }

  /** A file that was not reloaded, for {@code why} (the message names the setting, never its value). */
  public void refused(String why) {
    add(new Entry(clock.instant(), List.of(), List.of(), List.of(), List.of(), why));
  }

  private synchronized void add(Entry entry) {
    if (entries.size() == KEPT) {
      entries.removeLast();
    }
    entries.addFirst(entry);
  }

  /** The kept reloads, newest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }
}
