package org.syncbus.stream;

import java.util.List;
import org.syncbus.queue.Key;

/**
 * The owner's backlog as a mirror needs it: keys in backlog order and each record's encoded
 * update element, at {@code epoch}/{@code seq}, served by {@code owner}. Immutable.
 */
public record SyncReply(String epoch, long seq, String owner, String pk, List<Key> keys, List<byte[]> elements) {}
