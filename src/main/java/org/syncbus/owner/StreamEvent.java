package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.syncbus.queue.Update;

/**
 * One message of a queue's internal stream, from its owner to the edges' mirrors: an applied batch
 * with its sequence number, its updates and their encoded bytes (shared by every mirror), and its
 * line ({@code [..]\n}) written as is to every subscriber. Or, with no batch, a reset notice: the
 * queue's history (re)started at {@code epoch}/{@code seq}, and mirrors must resynchronise.
 *
 * <p>Immutable; passed by reference to every consumer of the node.
 */
public final class StreamEvent {
  private final String epoch;
  private final long seq;
  private final List<Update> batch;
  private final List<byte[]> elements;
  private final byte[] array;
  private final Buffer line;

  private StreamEvent(String epoch, long seq, List<Update> batch, List<byte[]> elements, byte[] array) {
    this.epoch = epoch;
    this.seq = seq;
    this.batch = batch;
    this.elements = elements;
    this.array = array;
    this.line = array == null ? null : Buffer.buffer(array.length + 1).appendBytes(array).appendByte((byte) '\n');
  }

  /** An applied batch; {@code array} is its encoded JSON array, {@code [e1,e2,…]}. */
  static StreamEvent batch(String epoch, long seq, List<Update> batch, List<byte[]> elements, byte[] array) {
    return new StreamEvent(epoch, seq, List.copyOf(batch), List.copyOf(elements), array);
  }

  static StreamEvent reset(String epoch, long seq) {
    return new StreamEvent(epoch, seq, null, null, null);
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
}
