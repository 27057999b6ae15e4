package org.syncbus.queue;

import java.util.List;
import java.util.Map;

/** The default queue (the original's {@code DefaultPubSubQueue}): records live until deleted. */
public final class KeyedQueue implements PubSubQueue {
  private final String pk;
  private final Backlog backlog = new Backlog();

  public KeyedQueue(String pk) {
    this.pk = pk;
  }

  @Override
  public String pk() {
    return pk;
  }

  @Override
  public Map<Key, Change> apply(List<Update> batch) {
    return backlog.apply(batch);
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
