package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Update;

/**
 * The codec of an internal-stream message: within a node every consumer receives the same
 * immutable instance (the default JSON codecs deep-copy a {@code JsonObject} for every consumer);
 * between nodes the message is encoded once per receiving node and decoded there once.
 */
public abstract class NodeCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  NodeCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the internal-stream codecs on {@code eventBus}; once per Vert.x instance. */
  public static void registerAll(EventBus eventBus) {
    eventBus.registerDefaultCodec(StreamEvent.class, new StreamEvent.Codec());
    eventBus.registerDefaultCodec(SyncReply.class, new SyncReply.Codec());
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "syncbus-" + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  /** The updates of a JSON array an owner encoded; an owner never sends an invalid one. */
  static List<Update> parse(byte[] array, String pk, String what) {
    try {
      return Batches.parse(new String(array, StandardCharsets.UTF_8), pk);
    } catch (InvalidBatchException e) {
      throw new IllegalStateException("an owner sent an invalid " + what + ": " + e.getMessage(), e);
    }
  }

  static void writeString(Buffer buffer, String value) {
    writeBytes(buffer, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  static void writeBytes(Buffer buffer, byte[] value) {
    if (value == null) {
      buffer.appendInt(-1);
    } else {
      buffer.appendInt(value.length).appendBytes(value);
    }
  }

  /** Reads what the write methods wrote, in order. */
  static final class Reader {
    private final Buffer buffer;
    private int pos;

    Reader(Buffer buffer, int pos) {
      this.buffer = buffer;
      this.pos = pos;
    }

    long longValue() {
      long value = buffer.getLong(pos);
      pos += Long.BYTES;
      return value;
    }

    byte[] bytes() {
      int length = buffer.getInt(pos);
      pos += Integer.BYTES;
      if (length < 0) {
        return null;
      }
      byte[] value = buffer.getBytes(pos, pos + length);
      pos += length;
      return value;
    }

    String string() {
      byte[] value = bytes();
      return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
  }
}
