package org.syncbus.http;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.syncbus.config.SyncbusConfig;

/**
 * The last batches of a queue, as one edge keeps them for clients that resume with
 * {@code since=E:S} (README, "Resume and server-sent events"): at most
 * {@code queues.Q.retain.batches} of them, and at most {@code .bytes} counted; the oldest go first.
 *
 * <p><b>One form per batch.</b> A batch is kept as its seq and its JSON array, the owner's bytes
 * (the array object every mirror of the node shares): not its parsed updates, its encoded elements,
 * its line, nor any framing. A resuming client's batches are framed from the array when it asks
 * ({@link #writeAfter}), by {@link Format#batch}, the function that frames them for the live
 * fan-out ({@link BatchFramings}), so it receives the same bytes; each is handed on before the next
 * is made, and the socket copies it at once, so a resume costs the heap about one framed batch at a
 * time. Resumes are rare (a client that lost its stream); the live fan-out does not change.
 *
 * <p><b>What is counted is what is kept.</b> An entry counts its array's length plus
 * {@value #ENTRY_OVERHEAD_BYTES} bytes: the entry object (24 bytes with compressed references, 32
 * without), the array's header and padding (up to 23) and its slot in the deque (8, the deque
 * being up to twice as long as its content), rounded up. So {@code retain.bytes} bounds the heap
 * the log holds, whatever the size of its batches: measured 1.01–1.04× with batches of 100 KB
 * ({@code QueueMemoryTest}; README, "Sizing the heap").
 *
 * <p>The batches all belong to the edge's current epoch: the edge clears the log when it takes a
 * new backlog. Used from its edge's event loop only.
 */
final class RetainedLog {
  /** What an entry costs besides its array's bytes; see the class comment. */
  static final int ENTRY_OVERHEAD_BYTES = 80;

  private record Entry(long seq, byte[] array) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long bytes;

  /** What a batch of this JSON array counts against {@code retain.bytes}. */
  static long counted(byte[] array) {
    return array.length + (long) ENTRY_OVERHEAD_BYTES;
  }

  /**
   * Keeps batch {@code seq} (the next after the last kept), given as its JSON array, which is never
   * modified; then drops the oldest batches past either bound (all of them when one bound is 0).
   */
  void add(long seq, byte[] array, SyncbusConfig.Retain bounds) {
    entries.addLast(new Entry(seq, array));
    bytes += counted(array);
    while (!entries.isEmpty() && (entries.size() > bounds.batches() || bytes > bounds.bytes())) {
      bytes -= counted(entries.removeFirst().array());
    }
  }

  void clear() {
    entries.clear();
    bytes = 0;
  }

  /** The batches kept. */
  int batches() {
    return entries.size();
  }

  /** What the kept batches count against {@code retain.bytes}. */
  long bytes() {
    return bytes;
  }

  /**
   * Whether every batch after {@code since} is kept, for an edge at {@code seq}: not in the future,
   * not older than the log reaches (resuming at {@code seq} itself needs nothing).
   */
  boolean resumable(long since, long seq) {
    long first = entries.isEmpty() ? seq + 1 : entries.peekFirst().seq();
    return since <= seq && since >= first - 1;
  }

  /**
   * Hands {@code out} each kept batch after {@code since}, in order, framed for {@code format} in
   * {@code epoch}: one framing made at a time, each handed on before the next is made.
   */
  void writeAfter(long since, String epoch, Format format, Consumer<Buffer> out) {
    for (Entry entry : entries) {
      if (entry.seq() > since) {
        out.accept(format.batch(epoch, entry.seq(), entry.array()));
      }
    }
  }
}
