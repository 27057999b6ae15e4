package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
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
      try {
        List<Update> snapshot = Batches.parse(new String(in.bytes(), StandardCharsets.UTF_8), pk);
        List<Key> keys = new ArrayList<>(snapshot.size());
        List<byte[]> elements = new ArrayList<>(snapshot.size());
        for (Update update : snapshot) {
          keys.add(update.key());
          elements.add(Json.element(update));
        }
        return new SyncReply(epoch, seq, owner, pk, List.copyOf(keys), List.copyOf(elements));
      } catch (InvalidBatchException e) {
        throw new IllegalStateException("an owner sent an invalid backlog: " + e.getMessage(), e);
      }
    }
  }
}
