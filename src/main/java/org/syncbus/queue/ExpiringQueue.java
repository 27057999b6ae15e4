package org.syncbus.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A queue whose records expire unless refreshed: what a presence service needs ("who is online").
 * Every update of a record refreshes it for {@code ttl}; {@link #tick} returns the deletions of the
 * records whose time ran out, which the owner publishes like any other batch.
 *
 * <p>Deadlines are kept in refresh order (a refreshed key moves to the end), so finding the expired
 * records looks only at the ones that did expire. Time comes from an injected {@link Clock}.
 *
 * <p><b>Replicated deadlines.</b> A deadline is an absolute time, so it survives a change of owner:
 * the history an owner replicates carries each batch's apply time and, with its snapshot, the
 * deadlines ({@link #deadlines()}); the next owner replays the batches at their times
 * ({@link #apply(List, Instant)}) and {@link #restore}s the snapshot's deadlines, and each record
 * runs out when it would have on the previous owner (as far as the nodes' clocks agree).
 */
public final class ExpiringQueue implements PubSubQueue {
  private final String pk;
  private final Duration ttl;
  private final Clock clock;
  private final Backlog backlog = new Backlog();
  private final LinkedHashMap<Key, Instant> deadlines = new LinkedHashMap<>();

  public ExpiringQueue(String pk, Duration ttl, Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    this.pk = pk;
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public String pk() {
    return pk;
  }

  public Duration ttl() {
    return ttl;
  }

  @Override
  public Map<Key, Change> apply(List<Update> batch) {
    return apply(batch, clock.instant());
  }

  @Override
  public Map<Key, Change> apply(List<Update> batch, Instant at) {
    Instant deadline = at.plus(ttl);
    for (Update update : batch) {
      deadlines.remove(update.key());
      if (!update.isDelete()) {
        deadlines.put(update.key(), deadline);
      }
    }
    return backlog.apply(batch);
  }

  @Override
  public List<Update> tick(Instant now) {
    List<Update> expired = new ArrayList<>();
    Iterator<Map.Entry<Key, Instant>> oldestFirst = deadlines.entrySet().iterator();
    while (oldestFirst.hasNext()) {
      Map.Entry<Key, Instant> entry = oldestFirst.next();
      if (entry.getValue().isAfter(now)) {
        break;
      }
      expired.add(Update.delete(pk, entry.getKey()));
    }
    return expired;
  }

  @Override
  public List<Deadline> deadlines() {
    List<Deadline> all = new ArrayList<>(deadlines.size());
    deadlines.forEach((key, deadline) -> all.add(new Deadline(key, deadline.toEpochMilli())));
    return all;
  }

  /**
   * Sets each listed record's deadline; the order of expiry is then rebuilt from the deadlines
   * themselves (a listed record may have been refreshed at replay time before this is called).
   */
  @Override
  public void restore(List<Deadline> restored) {
    for (Deadline deadline : restored) {
      if (deadlines.containsKey(deadline.key())) {
        deadlines.put(deadline.key(), Instant.ofEpochMilli(deadline.atMillis()));
      }
    }
    List<Map.Entry<Key, Instant>> byDeadline = deadlines.entrySet().stream()
        .map(entry -> Map.entry(entry.getKey(), entry.getValue()))
        .sorted(Map.Entry.comparingByValue())
        .toList();
    deadlines.clear();
    byDeadline.forEach(entry -> deadlines.put(entry.getKey(), entry.getValue()));
  }

  @Override
  public List<Update> snapshot() {
    return backlog.snapshot();
  }

  @Override
  public int size() {
    return backlog.size();
  }
}
