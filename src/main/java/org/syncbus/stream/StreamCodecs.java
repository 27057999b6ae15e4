package org.syncbus.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.Key;
import org.syncbus.queue.Update;

/**
 * The codecs of the internal stream: within a node every consumer receives the same immutable
 * instance (the default JSON codecs deep-copy a {@code JsonObject} for every consumer); between
 * nodes a message is encoded once per receiving node and decoded there once. Between nodes a batch
 * or a backlog travels as its JSON array, and the receiving node rebuilds its elements.
 */
public final class StreamCodecs {
  /** Event buses that have the codecs: owners and edges both register them, whichever starts first. */
  private static final Map<EventBus, Boolean> REGISTERED = Collections.synchronizedMap(new WeakHashMap<>());

  private StreamCodecs() {}

  /** Registers the internal-stream codecs on {@code eventBus}, unless they already are. */
  public static void register(EventBus eventBus) {
    synchronized (REGISTERED) {
      if (REGISTERED.putIfAbsent(eventBus, Boolean.TRUE) == null) {
        eventBus.registerDefaultCodec(StreamEvent.Batch.class, new BatchCodec());
        eventBus.registerDefaultCodec(StreamEvent.Reset.class, new ResetCodec());
        eventBus.registerDefaultCodec(SyncReply.class, new SyncReplyCodec());
      }
    }
  }

  private static final class BatchCodec extends NodeCodec<StreamEvent.Batch> {
    BatchCodec() {
      super(StreamEvent.Batch.class);
    }

    @Override
    public void encodeToWire(Buffer buffer, StreamEvent.Batch event) {
      writeString(buffer, event.epoch());
      buffer.appendLong(event.seq());
      writeString(buffer, event.pk());
      writeBytes(buffer, event.array());
    }

    @Override
    public StreamEvent.Batch decodeFromWire(int pos, Buffer buffer) {
      Reader in = new Reader(buffer, pos);
      String epoch = in.string();
      long seq = in.longValue();
      String pk = in.string();
      byte[] array = in.bytes();
      List<Update> batch = parse(array, pk, "batch " + seq);
      return new StreamEvent.Batch(epoch, seq, pk, batch, Json.elements(batch), array);
    }
  }

  private static final class ResetCodec extends NodeCodec<StreamEvent.Reset> {
    ResetCodec() {
      super(StreamEvent.Reset.class);
    }

    @Override
    public void encodeToWire(Buffer buffer, StreamEvent.Reset event) {
      writeString(buffer, event.epoch());
      buffer.appendLong(event.seq());
      writeString(buffer, event.owner());
    }

    @Override
    public StreamEvent.Reset decodeFromWire(int pos, Buffer buffer) {
      Reader in = new Reader(buffer, pos);
      return new StreamEvent.Reset(in.string(), in.longValue(), in.string());
    }
  }

  private static final class SyncReplyCodec extends NodeCodec<SyncReply> {
    SyncReplyCodec() {
      super(SyncReply.class);
    }

    @Override
    public void encodeToWire(Buffer buffer, SyncReply reply) {
      writeString(buffer, reply.epoch());
      buffer.appendLong(reply.seq());
      writeString(buffer, reply.owner());
      writeString(buffer, reply.pk());
      writeBytes(buffer, Json.array(reply.elements()));
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

  /** A codec that hands the same instance to local consumers; subclasses say how it crosses nodes. */
  private abstract static class NodeCodec<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    NodeCodec(Class<T> type) {
      this.type = type;
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
  }

  /** The updates of a JSON array an owner encoded; an owner never sends an invalid one. */
  private static List<Update> parse(byte[] array, String pk, String what) {
    try {
      return Batches.parseAccepted(new String(array, StandardCharsets.UTF_8), pk);
    } catch (InvalidBatchException e) {
      throw new IllegalStateException("an owner sent an invalid " + what + ": " + e.getMessage(), e);
    }
  }

  private static void writeString(Buffer buffer, String value) {
    writeBytes(buffer, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeBytes(Buffer buffer, byte[] value) {
    if (value == null) {
      buffer.appendInt(-1);
    } else {
      buffer.appendInt(value.length).appendBytes(value);
    }
  }

  /** Reads what the write methods wrote, in order. */
  private static final class Reader {
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
