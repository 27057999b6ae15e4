package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.syncbus.queue.Json;
import org.syncbus.queue.Update;

/**
 * One message of a queue's internal stream, from its owner to the edges' mirrors: an applied batch
 * with its sequence number, its updates and their encoded bytes (shared by every mirror), and its
 * line ({@code [..]\n}) written as is to every subscriber. Or, with no batch, a reset notice: the
 * queue is served by {@code owner} at {@code epoch}/{@code seq}, and a mirror that is not there
 * resynchronises.
 *
 * <p>Immutable; passed by reference to every consumer of the node, and, in a cluster, sent once to
 * each other node as its JSON array, decoded there once.
 */
public final class StreamEvent {
  private final String epoch;
  private final long seq;
  private final String owner;
  private final String pk;
  private final List<Update> batch;
  private final List<byte[]> elements;
  private final byte[] array;
  private final Buffer line;

  private StreamEvent(String epoch, long seq, String owner, String pk, List<Update> batch, List<byte[]> elements,
                      byte[] array) {
    this.epoch = epoch;
    this.seq = seq;
    this.owner = owner;
    this.pk = pk;
    this.batch = batch;
    this.elements = elements;
    this.array = array;
    this.line = array == null ? null : Buffer.buffer(array.length + 1).appendBytes(array).appendByte((byte) '\n');
  }

  /** An applied batch; {@code array} is its encoded JSON array, {@code [e1,e2,…]}. */
  static StreamEvent batch(String epoch, long seq, String pk, List<Update> batch, List<byte[]> elements, byte[] array) {
    return new StreamEvent(epoch, seq, null, pk, List.copyOf(batch), List.copyOf(elements), array);
  }

  /** The queue is served by {@code owner}, at this epoch and seq. */
  static StreamEvent reset(String epoch, long seq, String owner, String pk) {
    return new StreamEvent(epoch, seq, owner, pk, null, null, null);
  }

  public boolean isReset() {
    return batch == null;
  }

  public String epoch() {
    return epoch;
  }

  public long seq() {
    return seq;
  }

  /** The owner's node id, on reset notices. */
  public String owner() {
    return owner;
  }

  public List<Update> batch() {
    return batch;
  }

  /** The encoded form of each update of {@link #batch()}, in the same order. */
  public List<byte[]> elements() {
    return elements;
  }

  /** The batch as a JSON array, without line end: what other framings wrap. Never modified. */
  public byte[] array() {
    return array;
  }

  /** The batch's line: the JSON array and a line end; never written to, shared by all. */
  public Buffer line() {
    return line;
  }

  /** Local delivery by reference; between nodes the epoch, seq, owner, pk and JSON array. */
  static final class Codec extends NodeCodec<StreamEvent> {
    Codec() {
      super(StreamEvent.class);
    }

    @Override
    public void encodeToWire(Buffer buffer, StreamEvent event) {
      writeString(buffer, event.epoch);
      buffer.appendLong(event.seq);
      writeString(buffer, event.owner);
      writeString(buffer, event.pk);
      writeBytes(buffer, event.array);
    }

    @Override
    public StreamEvent decodeFromWire(int pos, Buffer buffer) {
      Reader in = new Reader(buffer, pos);
      String epoch = in.string();
      long seq = in.longValue();
      String owner = in.string();
      String pk = in.string();
      byte[] array = in.bytes();
      if (array == null) {
        return reset(epoch, seq, owner, pk);
      }
      List<Update> batch = parse(array, pk, "batch " + seq);
      return batch(epoch, seq, pk, batch, Json.elements(batch), array);
    }
  }
}
