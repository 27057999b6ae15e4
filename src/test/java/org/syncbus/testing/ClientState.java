package org.syncbus.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;

/**
 * A subscriber's copy of a queue's state, rebuilt as PROTOCOL.md tells clients to: from an empty
 * state, apply every line of the stream in order with the one apply function.
 */
public final class ClientState {
  private final String pk;
  private final Backlog backlog = new Backlog();

  public ClientState(String pk) {
    this.pk = pk;
  }

  /** The state reached by applying {@code lines} in order. */
  public static ClientState rebuild(String pk, List<String> lines) {
    ClientState state = new ClientState(pk);
    lines.forEach(state::apply);
    return state;
  }

  public ClientState apply(String line) {
    try {
      backlog.apply(Batches.fromJson(TestJson.parse(line), pk));
      return this;
    } catch (InvalidBatchException e) {
      throw new AssertionError("the server sent a line a client cannot apply: " + e.getMessage() + "\n" + line, e);
    }
  }

  public int size() {
    return backlog.size();
  }

  /** The state as the first line of a new poll shows it: one update per record, in backlog order. */
  public ArrayNode asSnapshot() {
    ArrayNode snapshot = TestJson.MAPPER.createArrayNode();
    for (JsonNode record : backlog.records()) {
      snapshot.addObject().put("type", "update").set("data", record);
    }
    return snapshot;
  }

  @Override
  public String toString() {
    return asSnapshot().toString();
  }
}
