package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import org.syncbus.testing.TestNode;

/**
 * A client of the TCP event-bus bridge written from its wire format alone: frames of a 4-byte
 * big-endian length and a UTF-8 JSON object.
 */
final class TcpFrameClient extends BridgeClient {
  private final NetClient client;
  private final NetSocket socket;

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

  static Future<BridgeClient> connect(Vertx vertx, int port) {
    NetClient client = vertx.createNetClient();
    return client.connect(port, TestNode.HOST).map(socket -> new TcpFrameClient(client, socket));
  }

  @Override
  Future<Void> writeRaw(String text) {
    Buffer bytes = Buffer.buffer(text);
    return socket.write(Buffer.buffer().appendInt(bytes.length()).appendBuffer(bytes));
  }

  @Override
  Future<Void> close() {
    return socket.close().eventually(client::close);
  }
}
