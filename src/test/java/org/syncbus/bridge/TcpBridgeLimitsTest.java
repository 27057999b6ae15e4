package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * README, "Bridges and JWT" and "Limits", on the TCP bridge over real sockets: registrations are
 * per address and bounded; frames are bounded in size and in time; a client that does not read is
 * disconnected once too far behind; a connection authenticates once with {@code syncbus.auth}, and
 * its frames without headers use that token until it expires; a client is one descriptor.
 *
 * <p>Raw sockets are read on the test thread with a socket timeout: every wait is bounded.
 */
class TcpBridgeLimitsTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String SECRET = "jwt-test-secret-0123456789abcdef";
  private static final int READ_TIMEOUT_MILLIS = 8_000;

  private final List<Socket> sockets = new ArrayList<>();
  private final FakeClock clock = FakeClock.atSystemTime();
  private int bridgePort;
  private TestNode node;
  private JWTAuth jwt;

  @AfterEach
  void closeSockets() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  private void start(JsonObject queues, JsonObject limits, JsonObject bridges) throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      bridgePort = free.getLocalPort();
    }
    jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    JsonObject config = Configs.node(queues)
        .put("auth", new JsonObject().put("jwt", new JsonObject()
            .put("keys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", SECRET)))))
        .put("limits", limits)
        .put("bridges", bridges.copy().put("tcp", new JsonObject().put("enabled", true).put("port", bridgePort)));
    node = start(config, clock);
  }

  private void start() throws IOException {
    start(new JsonObject().put(Q, Configs.keyed("id")), new JsonObject(), new JsonObject());
  }

  private String token(long expiresInSeconds, String... queues) {
    JsonObject rights = new JsonObject();
    for (String queue : queues) {
      rights.put(queue, new JsonArray().add("publish").add("subscribe"));
    }
    return jwt.generateToken(new JsonObject().put("syncbus", rights),
        new JWTOptions().setExpiresInSeconds((int) expiresInSeconds));
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.connect(new InetSocketAddress(TestNode.HOST, bridgePort));
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  private static void write(Socket socket, JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(ByteBuffers.frame(json));
    out.flush();
  }

  private static JsonObject read(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  /** Reads frames until the bridge closes the connection; the frames it sent meanwhile. */
  private static List<JsonObject> readUntilClosed(Socket socket) throws IOException {
    List<JsonObject> frames = new ArrayList<>();
    try {
      while (true) {
        frames.add(read(socket));
      }
    } catch (EOFException | SocketException closed) {
      return frames;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after " + READ_TIMEOUT_MILLIS + " ms: " + frames);
    }
  }

  private static JsonObject frame(String type, String address, String token) {
    JsonObject frame = new JsonObject().put("type", type).put("address", address);
    return token == null ? frame : frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
  }

  private static JsonObject request(String address, String token, Object body) {
    return frame("send", address, token).put("replyAddress", "r-" + address).put("body", body);
  }

  /** A request's reply is a barrier: every frame sent before it was handled. */
  private static JsonObject snapshot(Socket socket, String token) throws IOException {
    write(socket, request(Addresses.snapshot(Q), token, new JsonObject()));
    return read(socket);
  }

  private static String batch(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]";
  }

  @Test
  void registeringTheSameAddressAgainIsANoOp() throws IOException {
    start();
    String token = token(600, Q);
    Socket client = connect();
    for (int i = 0; i < 20; i++) {
      write(client, frame("register", Addresses.updates(Q), token));
    }
    snapshot(client, token);
    await(node.publishOk(Q, batch(1)));
    JsonObject message = read(client);
    assertEquals(Addresses.updates(Q), message.getString("address"));
    JsonObject next = snapshot(client, token);
    assertEquals("r-" + Addresses.snapshot(Q), next.getString("address"), "one message per batch, not one per register: " + next);
  }

  @Test
  void registrationsPastTheLimitAreRefusedAndNothingIsRegistered() throws IOException {
    start(new JsonObject().put("a", Configs.keyed("id")).put("b", Configs.keyed("id")).put("c", Configs.keyed("id")),
        new JsonObject(), new JsonObject().put("maxRegistrationsPerConnection", 2));
    String token = token(600, "a", "b", "c");
    Socket client = connect();
    write(client, frame("register", Addresses.updates("a"), token));
    write(client, frame("register", Addresses.updates("b"), token));
    write(client, frame("register", Addresses.updates("c"), token));
    JsonObject refused = read(client);
    assertEquals("err", refused.getString("type"));
    assertEquals("too_many_registrations", refused.getString("message"));
    assertEquals(Addresses.updates("c"), refused.getString("address"));

    await(node.publishOk("c", batch(1)));
    await(node.publishOk("a", batch(2)));
    assertEquals(Addresses.updates("a"), read(client).getString("address"), "c's batch never came: c is not registered");
  }

  @Test
  void frameLargerThanTheLimitIsRefusedAndTheConnectionClosed() throws IOException {
    start(new JsonObject().put(Q, Configs.keyed("id")), new JsonObject(), new JsonObject().put("maxFrameBytes", 1024));
    Socket client = connect();
    client.getOutputStream().write(new byte[] {0, 0, 8, 0});
    List<JsonObject> frames = readUntilClosed(client);
    assertEquals(List.of(new JsonObject().put("type", "err").put("message", "frame_too_large")), frames);
  }

  @Test
  void frameBegunButNotCompleteWithinTheHeaderTimeoutClosesTheConnection() throws IOException {
    start(new JsonObject().put(Q, Configs.keyed("id")), new JsonObject().put("headerTimeoutSeconds", 1), new JsonObject());
    Socket client = connect();
    client.getOutputStream().write(new byte[] {0, 0, 0, 100, '{', '"'});
    long started = System.nanoTime();
    assertEquals(List.of(), readUntilClosed(client));
    assertTrue(System.nanoTime() - started >= 900_000_000L, "not before the timeout");
  }

  @Test
  void subscriberThatDoesNotReadIsDisconnectedOnceTooFarBehind() throws IOException {
    start(new JsonObject().put(Q, Configs.keyed("id")), new JsonObject().put("subscriberBufferBytes", 64 * 1024),
        new JsonObject());
    String token = token(600, Q);
    Socket slow = new Socket();
    sockets.add(slow);
    slow.setReceiveBufferSize(4096);
    slow.connect(new InetSocketAddress(TestNode.HOST, bridgePort));
    slow.setSoTimeout(READ_TIMEOUT_MILLIS);
    write(slow, frame("register", Addresses.updates(Q), token));
    write(slow, request(Addresses.snapshot(Q), token, new JsonObject()));
    String blob = "x".repeat(100_000);
    // Loopback buffers hold a few MB: enough batches to fill them and the bound, at most 200.
    for (int i = 0; i < 200 && !disconnected(slow); i++) {
      await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":1,\"blob\":\"" + blob + "\"}}]"));
    }
    assertTrue(disconnected(slow), "the subscriber that did not read was disconnected");
  }

  /** Whether the bridge closed the connection: reads what it holds, quickly, until the end or a pause. */
  private static boolean disconnected(Socket socket) throws IOException {
    socket.setSoTimeout(1);
    try {
      byte[] drain = new byte[64 * 1024];
      while (true) {
        if (socket.getInputStream().read(drain) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    } finally {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    }
  }

  @Test
  void connectionAuthenticatedOnceUsesItsTokenForFramesWithoutHeaders() throws IOException {
    start();
    Socket client = connect();
    write(client, request(Addresses.apply(Q), null, new JsonArray(batch(1))));
    assertEquals(401, read(client).getInteger("failureCode"), "no token yet");
    read(client);

    write(client, frame("send", Addresses.AUTH, token(600, Q)).put("replyAddress", "auth"));
    JsonObject granted = read(client);
    assertEquals("message", granted.getString("type"), granted.encode());
    assertEquals("auth", granted.getString("address"));
    assertEquals(new JsonObject().put(Q, new JsonArray().add("publish").add("subscribe")),
        granted.getJsonObject("body").getJsonObject("rights"));

    write(client, frame("register", Addresses.updates(Q), null));
    write(client, request(Addresses.apply(Q), null, new JsonArray(batch(2))));
    List<JsonObject> answers = List.of(read(client), read(client));
    assertTrue(answers.stream().anyMatch(frame -> ("r-" + Addresses.apply(Q)).equals(frame.getString("address"))
        && frame.getJsonObject("body").getLong("seq") == 1), answers.toString());
    assertTrue(answers.stream().anyMatch(frame -> Addresses.updates(Q).equals(frame.getString("address"))), answers.toString());
  }

  @Test
  void connectionTokenEndsAtItsExpiry() throws IOException {
    start();
    Socket client = connect();
    write(client, frame("send", Addresses.AUTH, token(60, Q)).put("replyAddress", "auth"));
    assertEquals("auth", read(client).getString("address"));
    assertEquals("r-" + Addresses.snapshot(Q), snapshot(client, null).getString("address"));

    clock.set(Instant.now().plusSeconds(61));
    JsonObject refused = snapshot(client, null);
    assertEquals(401, refused.getInteger("failureCode"), "the connection's token expired: " + refused);
  }

  @Test
  void authenticatingWithAnInvalidTokenIsRefusedWith401() throws IOException {
    start();
    Socket client = connect();
    write(client, frame("send", Addresses.AUTH, "not.a.token").put("replyAddress", "auth"));
    JsonObject refused = read(client);
    assertEquals("auth", refused.getString("address"));
    assertEquals(401, refused.getInteger("failureCode"));
  }

  @Test
  void eachBridgeClientIsOneDescriptor() throws IOException {
    start();
    int connections = 40;
    long before = openDescriptors();
    for (int i = 0; i < connections; i++) {
      connect();
    }
    // The last connection is accepted once a ping through it is answered.
    write(sockets.get(sockets.size() - 1), new JsonObject().put("type", "ping"));
    assertEquals("pong", read(sockets.get(sockets.size() - 1)).getString("type"));
    long grown = openDescriptors() - before;
    // Client and server sides both live in this JVM: two per connection, no loopback pair inside.
    assertTrue(grown <= 2L * connections + 5, "descriptors grew by " + grown + " for " + connections + " clients");
  }

  private static long openDescriptors() throws IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  /** The length prefix of a TCP bridge frame. */
  private static final class ByteBuffers {
    static byte[] frame(byte[] json) {
      return java.nio.ByteBuffer.allocate(Integer.BYTES + json.length).putInt(json.length).put(json).array();
    }
  }
}
