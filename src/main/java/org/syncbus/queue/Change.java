package org.syncbus.queue;

/** What applying a batch did to one key (PROTOCOL.md, "change metadata"). */
public enum Change {
  CREATED("created"),
  UPDATED("updated"),
  DELETED("deleted");

  private final String wireName;

  Change(String wireName) {
    this.wireName = wireName;
  }

  /** The word clients see: {@code created}, {@code updated} or {@code deleted}. */
  public String wireName() {
    return wireName;
  }
}
