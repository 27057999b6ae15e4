package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;

/**
 * A client of the TCP event-bus bridge written from its wire format alone: frames of a 4-byte
 * big-endian length and a UTF-8 JSON object. Frames received are queued; {@link #next()} waits for
 * the next one.
 */
final class TcpFrameClient {
  private final NetClient client;
  private final NetSocket socket;
  private final Deque<JsonObject> received = new ArrayDeque<>();
  private final Deque<Promise<JsonObject>> waiting = new ArrayDeque<>();
  private boolean closed;

  private TcpFrameClient(NetClient client, NetSocket socket) {
    this.client = client;
    this.socket = socket;
    RecordParser parser = RecordParser.newFixed(4);
    int[] expected = {-1};
    parser.handler(buffer -> {
      if (expected[0] < 0) {
        expected[0] = buffer.getInt(0);
        parser.fixedSizeMode(expected[0]);
      } else {
        expected[0] = -1;
        parser.fixedSizeMode(4);
        deliver(new JsonObject(buffer));
      }
    });
    socket.handler(parser);
    socket.closeHandler(v -> onClose());
  }

  static Future<TcpFrameClient> connect(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient();
    return client.connect(port, "127.0.0.1").map(socket -> new TcpFrameClient(client, socket));
  }

  private synchronized void deliver(JsonObject frame) {
    Promise<JsonObject> next = waiting.poll();
    if (next != null) {
      next.complete(frame);
    } else {
      received.add(frame);
    }
  }

  private synchronized void onClose() {
    closed = true;
    waiting.forEach(promise -> promise.tryFail("the bridge closed the connection"));
    waiting.clear();
  }

  /** The next frame received. */
  synchronized Future<JsonObject> next() {
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

  synchronized boolean isClosed() {
    return closed;
  }

  Future<Void> write(JsonObject frame) {
    return writeRaw(frame.encode());
  }

  /** Any text as one frame, JSON or not. */
  Future<Void> writeRaw(String text) {
    Buffer bytes = Buffer.buffer(text);
    return socket.write(Buffer.buffer().appendInt(bytes.length()).appendBuffer(bytes));
  }

  /** Sends {@code body} to {@code address} expecting a reply; returns the reply address used. */
  String request(String address, Object body, String token) {
    String replyAddress = UUID.randomUUID().toString();
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
        .put("body", body);
    if (token != null) {
      frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    }
    write(frame);
    return replyAddress;
  }

  void register(String address, String token) {
    JsonObject frame = new JsonObject().put("type", "register").put("address", address);
    if (token != null) {
      frame.put("headers", new JsonObject().put("token", token));
    }
    write(frame);
  }

  Future<Void> close() {
    return socket.close().eventually(client::close);
  }
}
