package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.syncbus.support.NettyChannels;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * {@link Disconnect} reaches Netty's channel through Vert.x internals ({@link NettyChannels}): if they change, this fails
 * loudly (rather than clients that do not read quietly keeping their connections again). A
 * connection full of what its client did not read is closed at once, and the client sees it.
 */
class DisconnectTest extends IntegrationTest {
  private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);
  private static final int QUEUED_BYTES = 32 * 1024 * 1024;

  @Test
  void anHttpConnectionWhoseClientDoesNotReadIsClosedAtOnce() throws IOException {
    Promise<HttpConnection> full = Promise.promise();
    Promise<Void> closed = Promise.promise();
    HttpServer server = await(vertx.createHttpServer().requestHandler(request -> {
      request.connection().closeHandler(v -> closed.tryComplete());
      request.response().setChunked(true);
      fill(() -> request.response().write(CHUNK));
      full.complete(request.connection());
    }).listen(0, TestNode.HOST));
    try (Socket client = slowClient(server.actualPort())) {
      client.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      HttpConnection connection = await(full.future());
      assertNotNull(NettyChannels.of(connection), "Vert.x internals changed: " + connection.getClass());
      vertx.runOnContext(v -> Disconnect.now(connection));
      await(closed.future());
      assertClosedForTheClient(client);
    } finally {
      await(server.close());
    }
  }

  @Test
  void aSocketWhoseClientDoesNotReadIsClosedAtOnce() throws IOException {
    Promise<NetSocket> full = Promise.promise();
    Promise<Void> closed = Promise.promise();
    NetServer server = await(vertx.createNetServer().connectHandler(socket -> {
      socket.closeHandler(v -> closed.tryComplete());
      socket.handler(data -> {
        fill(() -> socket.write(CHUNK));
        full.tryComplete(socket);
      });
    }).listen(0, TestNode.HOST));
    try (Socket client = slowClient(server.actualPort())) {
      client.getOutputStream().write(1);
      NetSocket socket = await(full.future());
      assertNotNull(NettyChannels.of(socket), "Vert.x internals changed: " + socket.getClass());
      vertx.runOnContext(v -> Disconnect.now(socket));
      await(closed.future());
      assertClosedForTheClient(client);
    } finally {
      await(server.close());
    }
  }

  /**
   * Writes far more than the system's buffers of both ends hold (a few MB on loopback), so that
   * most of it waits in Netty's buffer: a close that waited for it to be flushed would never come.
   */
  private static void fill(Runnable write) {
    for (int i = 0; i < QUEUED_BYTES / CHUNK.length(); i++) {
      write.run();
    }
  }

  private static Socket slowClient(int port) throws IOException {
    Socket client = new Socket();
    client.setReceiveBufferSize(4096);
    client.connect(new InetSocketAddress(TestNode.HOST, port));
    client.setSoTimeout(5_000);
    return client;
  }

  /** The connection was reset: reading ends (with what little had arrived dropped), within the timeout. */
  private static void assertClosedForTheClient(Socket client) throws IOException {
    InputStream in = client.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    long read = 0;
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        read += n;
      }
    } catch (SocketException reset) {
      return;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open for the client after 5 s (" + read + " bytes read)");
    }
  }
}
