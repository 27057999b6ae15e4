package org.syncbus.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.syncbus.queue.Update;

/**
 * One message of a queue's internal stream, from its owner to the edges' mirrors: an applied
 * {@link Batch}, or a {@link Reset} notice (the queue is served by an owner at this epoch and seq,
 * and a mirror that is not there resynchronises).
 *
 * <p>Immutable; passed by reference to every consumer of the node, and, in a cluster, sent once to
 * each other node, decoded there once ({@link StreamCodecs}).
 */
public sealed interface StreamEvent permits StreamEvent.Batch, StreamEvent.Reset {
  String epoch();

  long seq();

  /**
   * An applied batch with its sequence number, its updates and their encoded elements (shared by
   * every mirror), its JSON array and its line ({@code [..]\n}), written as is to every subscriber.
   *
   * @param elements the encoded form of each update of {@code batch}, in the same order
   * @param array the batch as a JSON array, without line end: what other framings wrap; never modified
   * @param line the array and a line end; never written to, shared by all
   */
  record Batch(String epoch, long seq, String pk, List<Update> batch, List<byte[]> elements, byte[] array, Buffer line)
      implements StreamEvent {
    public Batch {
      batch = List.copyOf(batch);
      elements = List.copyOf(elements);
    }

    /** An applied batch; {@code array} is its encoded JSON array, {@code [e1,e2,…]}. */
    public Batch(String epoch, long seq, String pk, List<Update> batch, List<byte[]> elements, byte[] array) {
      this(epoch, seq, pk, batch, elements, array,
          Buffer.buffer(array.length + 1).appendBytes(array).appendByte((byte) '\n'));
    }
  }

  /** The queue is served by {@code owner} (a node id), at this epoch and seq. */
  record Reset(String epoch, long seq, String owner) implements StreamEvent {}
}
