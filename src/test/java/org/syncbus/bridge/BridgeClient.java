package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * A client of an event-bus bridge written from the bridge's frame format alone (README, "Bridges
 * and JWT"): JSON objects with a {@code type}, an {@code address}, {@code headers} carrying the JWT,
 * a {@code body} and, for requests, a {@code replyAddress}. How a frame travels is the transport's
 * business ({@link TcpFrameClient}, {@link SockJsFrameClient}); what goes into frames and how the
 * frames received are handed to the test is the same for every transport, and lives here.
 *
 * <p>Frames arrive on an event loop and are read from the test thread: the queues are guarded by
 * this object's lock, and promises are completed outside it.
 */
abstract class BridgeClient {
  private final Deque<JsonObject> received = new ArrayDeque<>();
  private final Deque<Promise<JsonObject>> waiting = new ArrayDeque<>();
  private boolean closed;

  /** Called by the transport for every frame the bridge sends. */
  protected final void deliver(JsonObject frame) {
    Promise<JsonObject> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        received.add(frame);
        return;
      }
    }
    next.complete(frame);
  }

  /** Called by the transport once the connection is gone, whoever closed it. */
  protected final void onClose() {
    Promise<?>[] pending;
    synchronized (this) {
      closed = true;
      pending = waiting.toArray(Promise[]::new);
      waiting.clear();
    }
    for (Promise<?> promise : pending) {
      promise.tryFail("the bridge closed the connection");
    }
  }

  /** The next frame received, as soon as it arrives; fails if the connection closes first. */
  final synchronized Future<JsonObject> next() {
    JsonObject frame = received.poll();
    if (frame != null) {
      return Future.succeededFuture(frame);
    }
    if (closed) {
      return Future.failedFuture("the bridge closed the connection");
    }
    Promise<JsonObject> promise = Promise.promise();
    waiting.add(promise);
    return promise.future();
  }

  final synchronized boolean isClosed() {
    return closed;
  }

  final Future<Void> write(JsonObject frame) {
    return writeRaw(frame.encode());
  }

  /** Any text as one frame of the transport, JSON or not. */
  abstract Future<Void> writeRaw(String text);

  /** Closes the connection, as a client that goes away does. */
  abstract Future<Void> close();

  /**
   * Sends {@code body} to {@code address} expecting a reply, the token as
   * {@code Authorization: Bearer} (none when null); returns the reply address used.
   */
  final String request(String address, Object body, String token) {
    return request(address, body, token == null ? null : new JsonObject().put("Authorization", "Bearer " + token));
  }

  /** Sends {@code body} to {@code address} with {@code headers}, expecting a reply; returns the reply address used. */
  final String request(String address, Object body, JsonObject headers) {
    // A UUID: the SockJS bridge refuses reply addresses over 36 characters.
    String replyAddress = UUID.randomUUID().toString();
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
        .put("body", body);
    if (headers != null) {
      frame.put("headers", headers);
    }
    write(frame);
    return replyAddress;
  }

  /** Registers on {@code address}, the token in the {@code token} header (none when null). */
  final void register(String address, String token) {
    JsonObject frame = new JsonObject().put("type", "register").put("address", address);
    if (token != null) {
      frame.put("headers", new JsonObject().put("token", token));
    }
    write(frame);
  }
}
