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
    Instant deadline = clock.instant().plus(ttl);
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
  public List<Update> snapshot() {
    return backlog.snapshot();
  }

  @Override
  public int size() {
    return backlog.size();
  }
}
