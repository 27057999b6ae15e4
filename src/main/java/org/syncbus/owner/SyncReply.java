package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.syncbus.queue.Json;
import org.syncbus.queue.Key;
import org.syncbus.queue.Update;

/**
 * The owner's backlog as a mirror needs it: keys in backlog order and each record's encoded
 * update element, at {@code epoch}/{@code seq}. Immutable.
 */
public record SyncReply(String epoch, long seq, String owner, String pk, List<Key> keys, List<byte[]> elements) {
  /** Local delivery by reference; between nodes the backlog as one JSON array. */
  static final class Codec extends NodeCodec<SyncReply> {
    Codec() {
      super(SyncReply.class);
    }

    @Override
    public void encodeToWire(Buffer buffer, SyncReply reply) {
      writeString(buffer, reply.epoch);
      buffer.appendLong(reply.seq);
      writeString(buffer, reply.owner);
      writeString(buffer, reply.pk);
      writeBytes(buffer, Json.array(reply.elements));
    }

    @Override
    public SyncReply decodeFromWire(int pos, Buffer buffer) {
      Reader in = new Reader(buffer, pos);
      String epoch = in.string();
      long seq = in.longValue();
      String owner = in.string();
      String pk = in.string();
      List<Update> snapshot = parse(in.bytes(), pk, "backlog");
      List<Key> keys = snapshot.stream().map(Update::key).toList();
      return new SyncReply(epoch, seq, owner, pk, keys, List.copyOf(Json.elements(snapshot)));
    }
  }
}
