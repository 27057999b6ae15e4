package org.syncbus.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.syncbus.support.ThrottledLog;

/**
 * The TCP bridge's registrations, shared by its connections: one event-bus consumer per address,
 * whatever the number of connections registered on it, and each message framed once (its JSON
 * frame with its length) and handed to every one of them. With a consumer per connection, Vert.x
 * copies a {@code JsonObject} body for each and each connection encodes the same frame again: a
 * batch on {@code syncbus.Q.updates} cost that much per bridge subscriber. One per bridge verticle,
 * used on its event loop.
 */
final class BridgeFanout {
  private final EventBus eventBus;
  private final ThrottledLog log;
  private final Map<String, Registration> byAddress = new HashMap<>();

  private static final class Registration {
    final Set<Consumer<Buffer>> writers = new LinkedHashSet<>();
    MessageConsumer<Object> consumer;
  }

  BridgeFanout(EventBus eventBus, ThrottledLog log) {
    this.eventBus = eventBus;
    this.log = log;
  }

  /**
   * Hands every message on {@code address} to {@code writer}, as a complete frame (length and
   * JSON) shared with the other connections, until the returned action runs.
   */
  Runnable register(String address, Consumer<Buffer> writer) {
    Registration registration = byAddress.computeIfAbsent(address, a -> new Registration());
    if (registration.consumer == null) {
      registration.consumer = eventBus.consumer(address, message -> {
        Buffer frame = TcpBridgeConnection.framed(TcpBridgeConnection.message(message.address(), message.body(), false,
            TcpBridgeConnection.headersOf(message)));
        for (Consumer<Buffer> each : Set.copyOf(registration.writers)) {
          each.accept(frame);
        }
      });
    }
    registration.writers.add(writer);
    return () -> unregister(address, registration, writer);
  }

  private void unregister(String address, Registration registration, Consumer<Buffer> writer) {
    if (registration.writers.remove(writer) && registration.writers.isEmpty() && byAddress.get(address) == registration) {
      byAddress.remove(address);
      registration.consumer.unregister().onFailure(error -> log.warn("bridge unregister",
          () -> "bridge: unregistering from " + address + " failed: " + error.getMessage()));
    }
  }
}
