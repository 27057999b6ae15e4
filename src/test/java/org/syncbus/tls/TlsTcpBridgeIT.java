package org.syncbus.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.ExternalProcess;
import org.syncbus.testing.ExternalProcess.Outcome;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestCertificates;
import org.syncbus.testing.TestCertificates.Pem;
import org.syncbus.testing.TestNode;

/**
 * README, "TLS", on the TCP event-bus bridge ({@code bridges.tcp.tls}), seen by Python's {@code ssl}
 * module ({@code src/test/python/tls_bridge_ping.py}, standard library only): a ping over TLS is
 * answered with a pong; a required client certificate is required; a certificate replaced on disk
 * is served to new connections within a scan while a connection opened before goes on.
 */
class TlsTcpBridgeIT extends IntegrationTest {
  private static final Path PING = Path.of("src", "test", "python", "tls_bridge_ping.py");

  @TempDir
  static Path certificates;
  static Pem ca;
  static Pem server;
  static Pem client;
  static Pem renewedCa;
  static Pem renewed;

  @TempDir
  Path dir;

  private final AtomicInteger runs = new AtomicInteger();

  @BeforeAll
  static void makeCertificates() throws Exception {
    assertTrue(Files.isRegularFile(PING), PING + " exists");
    ca = TestCertificates.authority(certificates, "ca");
    server = TestCertificates.server(certificates, "server", ca);
    client = TestCertificates.client(certificates, "client", ca);
    renewedCa = TestCertificates.authority(certificates, "renewed-ca");
    renewed = TestCertificates.server(certificates, "renewed", renewedCa);
  }

  /** A node with the TCP bridge on {@code port}, over TLS as {@code tls} says. */
  private static JsonObject bridgeNode(int port, JsonObject tls) {
    return Configs.defaultNode().put("bridges", new JsonObject().put("tcp", new JsonObject()
        .put("enabled", true).put("host", TestNode.HOST).put("port", port).put("tls", tls)));
  }

  private Outcome pythonPing(int port, Pem trusted, Pem presented) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3", PING.toString(), TestNode.HOST, String.valueOf(port),
        trusted.cert().toString()));
    if (presented != null) {
      command.addAll(List.of(presented.cert().toString(), presented.key().toString()));
    }
    return ExternalProcess.attempt(command, Map.of(), dir.resolve("python-" + runs.incrementAndGet() + ".log"));
  }

  private static void assertPong(Outcome outcome) {
    assertEquals(0, outcome.status(), outcome.output());
    assertEquals(new JsonObject().put("type", "pong"), new JsonObject(outcome.output().strip()));
  }

  @Test
  void pythonPingsTheBridgeOverTlsAndGetsPong() throws Exception {
    int port = freePort();
    start(bridgeNode(port, TestCertificates.tls(server)));
    assertPong(pythonPing(port, ca, null));
    Outcome untrusted = pythonPing(port, renewedCa, null);
    assertNotEquals(0, untrusted.status(), untrusted.output());
    assertTrue(untrusted.output().startsWith("failed: SSLCertVerificationError"), untrusted.output());
  }

  @Test
  void requiredClientAuthOnTheBridgeAdmitsOnlyClientsWithACertificateOfTheClientCa() throws Exception {
    int port = freePort();
    start(bridgeNode(port, TestCertificates.tls(server, ca, "required")));
    assertPong(pythonPing(port, ca, client));
    Outcome anonymous = pythonPing(port, ca, null);
    assertNotEquals(0, anonymous.status(), anonymous.output());
    assertTrue(anonymous.output().startsWith("failed: "), anonymous.output());
  }

  @Test
  void aReplacedCertificateServesNewConnectionsWithinAScanWhileAnOpenOneGoesOn() throws Exception {
    int port = freePort();
    Pem served = TestCertificates.copy(server, dir, "served");
    start(bridgeNode(port, TestCertificates.tls(served)).put("reload", new JsonObject().put("scanSeconds", 1)));
    TlsFrames before = await(TlsFrames.connect(vertx, port, ca));
    try {
      assertEquals("pong", await(before.ping()).getString("type"));

      TestCertificates.replace(served, renewed);
      await(Await.eventually(vertx, "python with renewed-ca.pem got a pong", 40, 250,
          () -> vertx.executeBlocking(() -> pythonPing(port, renewedCa, null)), outcome -> outcome.status() == 0));
      Outcome previous = pythonPing(port, ca, null);
      assertNotEquals(0, previous.status(), "new connections get the renewed certificate only: " + previous.output());

      assertEquals("pong", await(before.ping()).getString("type"),
          "the connection opened with the previous certificate still answers");
    } finally {
      await(before.close());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      return socket.getLocalPort();
    }
  }

  /** A TLS connection to the bridge speaking its frames (a 4-byte length, then JSON), one request at a time. */
  private static final class TlsFrames {
    private final NetClient client;
    private final NetSocket socket;
    private Promise<JsonObject> next;

    private TlsFrames(NetClient client, NetSocket socket) {
      this.client = client;
      this.socket = socket;
      RecordParser parser = RecordParser.newFixed(4);
      int[] length = {-1};
      parser.handler(chunk -> {
        if (length[0] < 0) {
          length[0] = chunk.getInt(0);
          parser.fixedSizeMode(length[0]);
        } else {
          length[0] = -1;
          parser.fixedSizeMode(4);
          received(new JsonObject(chunk));
        }
      });
      socket.handler(parser);
      socket.closeHandler(v -> received(null));
    }

    static Future<TlsFrames> connect(Vertx vertx, int port, Pem trusted) {
      NetClient client = vertx.createNetClient(new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
          .setTrustOptions(new PemTrustOptions().addCertPath(trusted.cert().toString())));
      return client.connect(port, TestNode.HOST).map(socket -> new TlsFrames(client, socket))
          .onFailure(error -> client.close());
    }

    synchronized Future<JsonObject> ping() {
      next = Promise.promise();
      Buffer json = new JsonObject().put("type", "ping").toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
      return next.future();
    }

    private void received(JsonObject frame) {
      Promise<JsonObject> waiting;
      synchronized (this) {
        waiting = next;
        next = null;
      }
      if (waiting != null) {
        if (frame == null) {
          waiting.fail("the bridge closed the connection");
        } else {
          waiting.complete(frame);
        }
      }
    }

    Future<Void> close() {
      return socket.close().eventually(client::close);
    }
  }
}
