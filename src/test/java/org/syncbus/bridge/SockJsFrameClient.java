package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.syncbus.testing.TestNode;

/**
 * A client of the SockJS event-bus bridge over SockJS's raw WebSocket endpoint
 * ({@code PATH/websocket}): every WebSocket message is one bridge frame, JSON without any SockJS
 * framing or length prefix. The bridge answers in binary messages and reads text and binary alike.
 *
 * <p>It pings every {@value #PING_MILLIS} ms, as the browser client does: the bridge closes a socket
 * that has not pinged within its ping timeout (10 s by default), which a slow test could exceed.
 * It sends no {@code Origin}: it is not a page.
 */
final class SockJsFrameClient extends BridgeClient {
  static final long PING_MILLIS = 5_000;

  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final long pinger;

  private SockJsFrameClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> deliver(new JsonObject(text)));
    socket.binaryMessageHandler(bytes -> deliver(new JsonObject(bytes)));
    socket.closeHandler(v -> onClose());
    pinger = vertx.setPeriodic(PING_MILLIS, id -> write(new JsonObject().put("type", "ping")));
  }

  /** Connects to the bridge mounted at {@code path} (e.g. {@code /eventbus}) on the HTTP port {@code port}. */
  static Future<BridgeClient> connect(Vertx vertx, int port, String path) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(TestNode.HOST).setPort(port).setURI(path + "/websocket").setAllowOriginHeader(false);
    return client.connect(options)
        .<BridgeClient>map(socket -> new SockJsFrameClient(vertx, client, socket))
        .onFailure(error -> client.close());
  }

  @Override
  Future<Void> writeRaw(String text) {
    return socket.writeTextMessage(text);
  }

  @Override
  Future<Void> close() {
    vertx.cancelTimer(pinger);
    return socket.close().eventually(client::close);
  }
}
