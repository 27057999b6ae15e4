package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * The bounds of the TCP bridge (README, "Bridges and JWT" and "Limits"), one test per rule, on a
 * node in the test's JVM: {@code bridges.maxFrameBytes}, {@code limits.headerTimeoutSeconds} for a
 * frame begun, a partial frame's claim on {@code limits.bufferedBodyBytes},
 * {@code bridges.maxRegistrationsPerConnection}, and
 * {@code bridges.tcp.maxConnectionsPerAddress}. Cheaper than {@link TcpBridgeAttacksIT}, which
 * runs the attacks at scale against the packaged jar; clients are {@link TcpBridgeSocket}s, read
 * on the test thread or their own, never on an event loop.
 */
class BridgeLimitsTest extends IntegrationTest {
  private static final String JWT_SECRET = "bridge-limits-secret-0123456789abcdef";
  private static final String OTHER = "other";
  private static final int MAX_FRAME_BYTES = 1024;
  private static final long HEADER_TIMEOUT_SECONDS = 1;
  /** The node checks its bridge connections' deadlines once a second. */
  private static final long SWEEP_SECONDS = 1;
  /** What a loaded 2-core machine may add to a deadline. */
  private static final long LATE_MILLIS = 2_000;
  private static final long AT_ONCE_MILLIS = 1_000;

  private final int port = freePort();

  /** The bridge cannot report the port it got for 0: a free one is chosen here. */
  private static int freePort() {
    try {
      return JarProcess.freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A node with queues {@code default} and {@code other}, JWTs, the TCP bridge, {@code limits} and {@code bridges}. */
  private TestNode startNode(JsonObject limits, JsonObject bridges) {
    JsonObject config = Configs.defaultNode()
        .put("auth", new JsonObject().put("jwt", new JsonObject().put("keys", new JsonArray()
            .add(new JsonObject().put("algorithm", "HS256").put("secret", JWT_SECRET)))))
        .put("limits", limits)
        .put("bridges", bridges.copy().put("tcp", bridges.getJsonObject("tcp", new JsonObject()).copy()
            .put("enabled", true).put("port", port)));
    config.getJsonObject("queues").put(OTHER, Configs.keyed("id"));
    return start(config);
  }

  private TcpBridgeSocket connect(String source) throws IOException {
    TcpBridgeSocket socket = TcpBridgeSocket.connect(source, port, 0);
    closeAfter(socket);
    return socket;
  }

  private String subscribeToken() {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
    JsonObject rights = new JsonObject().put("*", new JsonArray().add("subscribe"));
    return jwt.generateToken(new JsonObject().put("syncbus", rights), new JWTOptions().setExpiresInSeconds(600));
  }

  private static byte[] ping() {
    return TcpBridgeSocket.frame(new JsonObject().put("type", "ping"));
  }

  /** Sends a ping and returns the frames read before its pong (bounded). */
  private static List<JsonObject> pingPong(TcpBridgeSocket socket) throws IOException {
    List<JsonObject> before = new ArrayList<>();
    socket.send(ping());
    socket.readUntil(frame -> "pong".equals(frame.getString("type")), before::add, 100);
    return before;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      buffer.put(part);
    }
    return buffer.array();
  }

  @Test
  void aFrameOverMaxFrameBytesIsAnsweredFrameTooLargeAndItsConnectionClosedAtOnce() throws Exception {
    startNode(new JsonObject(), new JsonObject().put("maxFrameBytes", MAX_FRAME_BYTES));
    TcpBridgeSocket fits = connect(TestNode.HOST);
    fits.send(TcpBridgeSocket.frame("x".repeat(MAX_FRAME_BYTES)));
    List<JsonObject> answers = pingPong(fits);
    assertEquals(List.of("invalid_json"), answers.stream().map(frame -> frame.getString("message")).toList(),
        "the answers to a frame of exactly bridges.maxFrameBytes, not JSON");

    BlockingQueue<JsonObject> frames = TcpBridgeSocket.queue();
    TcpBridgeSocket tooLarge = connect(TestNode.HOST).reading(frames);
    tooLarge.send(TcpBridgeSocket.header(MAX_FRAME_BYTES + 1));
    long sent = tooLarge.millisSinceOpened();
    assertEquals("frame_too_large", TcpBridgeSocket.next(frames).getString("message"));
    long closedAfter = tooLarge.closed().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) - sent;
    assertTrue(closedAfter < AT_ONCE_MILLIS, () -> "closed " + closedAfter + " ms after announcing the frame");
  }

  @Test
  void aFrameBegunAndNotCompletedWithinTheHeaderTimeoutClosesItsConnection() throws Exception {
    startNode(new JsonObject().put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS), new JsonObject());
    TcpBridgeSocket stalled = connect(TestNode.HOST).reading(TcpBridgeSocket.queue());
    byte[] ping = ping();
    stalled.send(Arrays.copyOf(ping, ping.length - 1));
    long sent = stalled.millisSinceOpened();
    long closedAfter = stalled.closed().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) - sent;
    long timeout = HEADER_TIMEOUT_SECONDS * 1000;
    assertTrue(closedAfter >= timeout - 50 && closedAfter <= timeout + SWEEP_SECONDS * 1000 + LATE_MILLIS,
        () -> "closed " + closedAfter + " ms after the frame began; limits.headerTimeoutSeconds is " + timeout + " ms");
  }

  /**
   * Regression: the header timeout was timed from the last moment the node had consumed everything
   * it had received, not from the start of the frame still incomplete. A client whose writes do not
   * end on frame boundaries (a buffered writer flushing every few KB) never lets the node's buffer
   * empty between reads, and was closed after {@code limits.headerTimeoutSeconds} although each of
   * its frames completed within milliseconds.
   */
  @Test
  void framesThatEachCompleteInTimeAreNotClosedByTheHeaderTimeoutWhateverTheWritesBoundaries() throws Exception {
    startNode(new JsonObject().put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS), new JsonObject());
    TcpBridgeSocket client = connect(TestNode.HOST);
    byte[] ping = ping();
    int half = ping.length / 2;
    byte[] firstHalf = Arrays.copyOfRange(ping, 0, half);
    // Each write completes one frame and begins the next: the node always holds half a frame.
    byte[] straddling = concat(Arrays.copyOfRange(ping, half, ping.length), firstHalf);
    long duration = TimeUnit.SECONDS.toMillis(HEADER_TIMEOUT_SECONDS + SWEEP_SECONDS) + LATE_MILLIS;
    long start = System.nanoTime();
    client.send(firstHalf);
    int pongs = 0;
    // Paced by the node's answers, not by sleeping: each pong answers the frame its write completed.
    while (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < duration && pongs < 1_000_000) {
      client.send(straddling);
      try {
        client.readUntil(frame -> "pong".equals(frame.getString("type")), frame -> { }, 1);
      } catch (AssertionError | IOException e) {
        int answered = pongs;
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        throw new AssertionError("the node closed a client after " + after + " ms and " + answered + " frames, each"
            + " complete within a round trip (limits.headerTimeoutSeconds " + HEADER_TIMEOUT_SECONDS + ")", e);
      }
      pongs++;
    }
    int answered = pongs;
    assertTrue(answered > 0, "no frame was answered");
  }

  @Test
  void aPartialFrameHoldsItsClaimOnBufferedBodyBytesUntilItsConnectionCloses() throws Exception {
    int frameBytes = 700_000;
    startNode(new JsonObject().put("bufferedBodyBytes", 1_000_000), new JsonObject());
    TcpBridgeSocket holder = connect("127.0.8.1");
    // The pong is written while the same read goes on to the announced frame: once it is here, the claim is made.
    holder.send(concat(ping(), TcpBridgeSocket.header(frameBytes), new byte[10]));
    holder.readUntil(frame -> "pong".equals(frame.getString("type")), frame -> { }, 10);

    BlockingQueue<JsonObject> refused = TcpBridgeSocket.queue();
    TcpBridgeSocket second = connect("127.0.8.2").reading(refused);
    second.send(TcpBridgeSocket.header(frameBytes));
    assertEquals("busy", TcpBridgeSocket.next(refused).getString("message"),
        "a frame announced while another holds most of limits.bufferedBodyBytes");
    second.closed().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

    holder.close();
    byte[] whole = concat(TcpBridgeSocket.header(frameBytes), "x".repeat(frameBytes).getBytes());
    // The holder's close reaches the node in its own time: retried, bounded, until its claim is given back.
    String answer = await(Await.eventually(vertx, "a whole frame admitted once the holder closed", 40, 50,
        () -> vertx.executeBlocking(() -> {
          try (TcpBridgeSocket third = TcpBridgeSocket.connect("127.0.8.3", port, 0)) {
            third.send(whole);
            return third.readUntil(frame -> true, frame -> { }, 1).getString("message");
          } catch (AssertionError | IOException e) {
            return "closed before answering";
          }
        }), message -> "invalid_json".equals(message)), Duration.ofSeconds(5));
    assertEquals("invalid_json", answer);
  }

  @Test
  void registeringAgainIsANoOpAndAddressesBeyondMaxRegistrationsPerConnectionAreRefused() throws Exception {
    TestNode node = startNode(new JsonObject(), new JsonObject().put("maxRegistrationsPerConnection", 1));
    String token = subscribeToken();
    TcpBridgeSocket client = connect(TestNode.HOST);
    JsonObject headers = new JsonObject().put("token", token);
    for (int i = 0; i < 3; i++) {
      client.send(new JsonObject().put("type", "register").put("address", Addresses.updates(Configs.DEFAULT))
          .put("headers", headers));
    }
    client.send(new JsonObject().put("type", "register").put("address", Addresses.updates(OTHER))
        .put("headers", headers));
    String barrier = "barrier";
    client.send(new JsonObject().put("type", "send").put("address", Addresses.snapshot(Configs.DEFAULT))
        .put("replyAddress", barrier).put("body", new JsonObject()).put("headers", headers));
    List<JsonObject> before = new ArrayList<>();
    client.readUntil(frame -> barrier.equals(frame.getString("address")), before::add, 10);
    assertEquals(1, before.size(), () -> "frames before the barrier: " + before);
    JsonObject refusal = before.get(0);
    assertEquals(Addresses.updates(OTHER), refusal.getString("address"), refusal::encode);
    assertEquals(403, refusal.getInteger("failureCode"), refusal::encode);
    assertEquals("too_many_registrations", refusal.getString("message"), refusal::encode);

    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":2}}]"));
    List<JsonObject> messages = new ArrayList<>();
    client.readUntil(frame -> frame.getJsonObject("body").getLong("seq") == 2, messages::add, 10);
    assertEquals(List.of(1L), messages.stream().map(frame -> frame.getJsonObject("body").getLong("seq")).toList(),
        "messages before batch 2 on a connection that registered three times");
  }

  @Test
  void connectionsBeyondMaxConnectionsPerAddressAreClosedAtOnceWhileOtherAddressesAreAdmitted() throws Exception {
    startNode(new JsonObject(), new JsonObject().put("tcp", new JsonObject().put("maxConnectionsPerAddress", 2)));
    TcpBridgeSocket first = connect("127.0.9.1");
    TcpBridgeSocket second = connect("127.0.9.1");
    TcpBridgeSocket third = connect("127.0.9.1").reading(TcpBridgeSocket.queue());
    long closedAfter = third.closed().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertTrue(closedAfter < AT_ONCE_MILLIS, () -> "the third connection from one address closed after " + closedAfter
        + " ms");
    pingPong(first);
    pingPong(second);
    pingPong(connect("127.0.9.2"));
  }
}
