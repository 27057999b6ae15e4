package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestCertificates;
import org.syncbus.testing.TestNode;

/**
 * {@link BridgeSocket} takes a TCP bridge connection's channel in the clear from Vert.x's
 * {@code NetServer} through Vert.x internals and knows the shape of the pipeline Vert.x builds: if
 * either changes, this fails loudly (rather than every bridge connection quietly keeping Vert.x's
 * socket and its write queue). A TLS connection keeps Vert.x's socket. Either way the socket
 * carries bytes both ways, says when a frame was written, and tells its close.
 */
class BridgeSocketTest extends IntegrationTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aSocketEchoesTellsWritesDoneAndTellsItsCloseTakenInTheClearKeptWithTls(boolean tls) throws IOException, InterruptedException {
    // Options as the bridge's (BridgeVerticle), with TLS as the node's port TLS gives it.
    NetServerOptions options = new NetServerOptions().setHost(TestNode.HOST).setPort(0);
    NetClientOptions clientOptions = new NetClientOptions();
    if (tls) {
      TestCertificates.Pem ca = TestCertificates.authority(dir, "ca");
      TestCertificates.Pem server = TestCertificates.server(dir, "server", ca);
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(server.cert().toString()).setKeyPath(server.key().toString()));
      clientOptions.setSsl(true).setHostnameVerificationAlgorithm("")
          .setTrustOptions(new PemTrustOptions().addCertPath(ca.cert().toString()));
    }
    Promise<Boolean> taken = Promise.promise();
    Promise<Void> written = Promise.promise();
    Promise<Void> closed = Promise.promise();
    NetServer server = await(vertx.createNetServer(options).connectHandler(accepted -> {
      BridgeSocket socket = BridgeSocket.of(accepted);
      taken.complete(socket.taken());
      socket.handler(data -> socket.write(Buffer.buffer("echo:").appendBuffer(data), written::tryComplete));
      socket.closeHandler(closed::complete);
    }).listen());
    try {
      NetSocket client = await(vertx.createNetClient(clientOptions).connect(server.actualPort(), TestNode.HOST));
      Promise<String> echoed = Promise.promise();
      Buffer received = Buffer.buffer();
      client.handler(data -> {
        received.appendBuffer(data);
        if (received.length() >= "echo:hello".length()) {
          echoed.tryComplete(received.toString());
        }
      });
      await(client.write("hello"));
      assertEquals(!tls, await(taken.future()), tls ? "a TLS connection keeps Vert.x's socket"
          : "Vert.x internals changed: the bridge connection kept Vert.x's socket");
      assertEquals("echo:hello", await(echoed.future()));
      await(written.future());
      await(client.close());
      await(closed.future());
    } finally {
      await(server.close());
    }
  }
}
