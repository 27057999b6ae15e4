package org.syncbus.owner;

import java.util.List;
import org.syncbus.queue.Key;

/**
 * The owner's backlog as a mirror needs it: keys in backlog order and each record's encoded
 * update element, at {@code epoch}/{@code seq}. Immutable.
 */
public record SyncReply(String epoch, long seq, String owner, List<Key> keys, List<byte[]> elements) {}
