package org.syncbus.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One element of a batch: {@code {"type": "update", "data": RECORD}} creates or replaces the record
 * with {@code key}; {@code {"type": "delete", "data": {PK: KEY, ...}}} removes it.
 *
 * <p>{@code data} is never modified once an update exists: backlogs and mirrors share it.
 */
public record Update(Kind kind, Key key, ObjectNode data) {
  /** Field names of an update on the wire. */
  public static final String TYPE = "type";

  public static final String DATA = "data";

  public enum Kind {
    UPDATE("update"),
    DELETE("delete");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** The kind named {@code name} on the wire, or {@code null}. */
    static Kind fromWire(String name) {
      for (Kind kind : values()) {
        if (kind.wireName.equals(name)) {
          return kind;
        }
      }
      return null;
    }
  }

  public Update {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
  }

  public static Update update(Key key, ObjectNode record) {
    return new Update(Kind.UPDATE, key, record);
  }

  /** A deletion of {@code key}, its data holding only the key field. */
  public static Update delete(String pk, Key key) {
    ObjectNode data = Json.MAPPER.createObjectNode();
    data.set(pk, key.toJson());
    return new Update(Kind.DELETE, key, data);
  }

  public boolean isDelete() {
    return kind == Kind.DELETE;
  }
}
