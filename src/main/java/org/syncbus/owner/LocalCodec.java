package org.syncbus.owner;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable objects between verticles of one node without copying them: every local
 * consumer receives the same instance (the default JSON codecs deep-copy a {@code JsonObject} for
 * every consumer). These objects never leave the node.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codecs of the internal stream on {@code eventBus}; call once per Vert.x instance. */
  public static void registerAll(EventBus eventBus) {
    register(eventBus, StreamEvent.class);
    register(eventBus, SyncReply.class);
  }

  private static <T> void register(EventBus eventBus, Class<T> type) {
    eventBus.registerDefaultCodec(type, new LocalCodec<>(type));
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to a node");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to a node");
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "syncbus-local-" + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
