package org.syncbus.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.syncbus.queue.Change;
import org.syncbus.queue.Key;

/**
 * Receives a queue's state after every line of its stream: the whole up-to-date state (read-only,
 * key -> record, in backlog order) and what that line changed. The first line reports every record
 * as created; after a reconnection, only what really differs from the state before the loss.
 */
@FunctionalInterface
public interface SyncListener {
  void onUpdate(Map<Key, ObjectNode> state, Map<Key, Change> changes);
}
