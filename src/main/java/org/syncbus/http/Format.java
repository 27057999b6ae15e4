package org.syncbus.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.syncbus.contract.Protocol;

/**
 * How a stream frames the backlog and the batches.
 *
 * <ul>
 *   <li>{@link #PLAIN}: the original protocol, one JSON array per line (PROTOCOL.md).
 *   <li>{@link #SEQ} ({@code format=seq}): the first line {@code {"epoch":E,"seq":S,"snapshot":[…]}}
 *       (with {@code "reset":true} when a resume was refused) or {@code {"epoch":E,"seq":S,"resumed":true}},
 *       then one {@code {"seq":n,"batch":[…]}} line per batch.
 *   <li>{@link #SSE} ({@code /events}): the same JSON as {@code SEQ} as server-sent events with
 *       {@code id: E:n} and {@code event: snapshot|resumed|batch}.
 * </ul>
 *
 * Records and batches are the owner's bytes, wrapped: never re-encoded.
 */
enum Format {
  PLAIN,
  SEQ,
  SSE;

  /** An SSE comment that keeps idle connections (and proxies) from timing out. */
  static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");

  private static final byte[] NEWLINE = {'\n'};

  /** The line or event carrying batch {@code seq}, given as its JSON array. */
  Buffer batch(String epoch, long seq, byte[] array) {
    return switch (this) {
      case PLAIN -> Buffer.buffer(array.length + 1).appendBytes(array).appendBytes(NEWLINE);
      case SEQ -> line(wrap("{\"" + Protocol.SEQ + "\":" + seq + ",\"" + Protocol.BATCH + "\":", array, "}"));
      case SSE -> event(epoch, seq, "batch",
          wrap("{\"" + Protocol.SEQ + "\":" + seq + ",\"" + Protocol.BATCH + "\":", array, "}"));
    };
  }

  /** The first line or event of a stream: the whole backlog at {@code seq}, given as its JSON array. */
  Buffer snapshot(String epoch, long seq, byte[] array, boolean reset) {
    if (this == PLAIN) {
      return batch(epoch, seq, array);
    }
    Buffer json = wrap(head(epoch, seq) + ",\"" + Protocol.SNAPSHOT + "\":", array,
        reset ? ",\"" + Protocol.RESET + "\":true}" : "}");
    return this == SEQ ? line(json) : event(epoch, seq, "snapshot", json);
  }

  /** The first line or event of a resumed stream: the batches after {@code since} follow. */
  Buffer resumed(String epoch, long since) {
    Buffer json = Buffer.buffer(head(epoch, since) + ",\"" + Protocol.RESUMED + "\":true}");
    return this == SSE ? event(epoch, since, "resumed", json) : line(json);
  }

  private static String head(String epoch, long seq) {
    return "{\"" + Protocol.EPOCH + "\":" + quoted(epoch) + ",\"" + Protocol.SEQ + "\":" + seq;
  }

  private static Buffer wrap(String before, byte[] array, String after) {
    byte[] head = before.getBytes(StandardCharsets.UTF_8);
    byte[] tail = after.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(head.length + array.length + tail.length + 1).appendBytes(head).appendBytes(array).appendBytes(tail);
  }

  private static Buffer line(Buffer json) {
    return json.appendBytes(NEWLINE);
  }

  /** One server-sent event; the JSON holds no raw line break, so it fits one {@code data:} line. */
  private static Buffer event(String epoch, long seq, String name, Buffer json) {
    return Buffer.buffer(json.length() + 64)
        .appendString("id: " + epoch + ":" + seq + "\nevent: " + name + "\ndata: ")
        .appendBuffer(json)
        .appendString("\n\n");
  }

  /** Epochs are made of letters, digits and dashes; quoting is all they need. */
  private static String quoted(String epoch) {
    return "\"" + epoch + "\"";
  }
}
