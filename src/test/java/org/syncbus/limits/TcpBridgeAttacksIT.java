package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.contract.Addresses;
import org.syncbus.limits.RawConnections.RawConnection;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.TestNode;

/**
 * Attacks on the TCP event-bus bridge (README, "Bridges and JWT" and "Limits";
 * {@code bridges.maxFrameBytes}, {@code bridges.maxRegistrationsPerConnection},
 * {@code limits.maxConnections}, {@code limits.headerTimeoutSeconds},
 * {@code limits.subscriberBufferBytes}) against the packaged jar run as a real process on a small
 * heap ({@value JarProcess#NODE_HEAP}, without {@code -XX:+ExitOnOutOfMemoryError}, so that running
 * out of memory would show as the process dying or {@code /health} failing), with timeouts short
 * enough for a test run.
 *
 * <p>Normal clients on 127.0.0.1 run throughout: {@link NormalClients} (an HTTP publisher, an
 * HTTP {@code /poll} subscriber and a {@code /health} prober) and a bridge subscriber registered
 * on {@code syncbus.default.updates} with a JWT, reading everything. Attackers connect from other
 * loopback addresses, one range per attack (127.0.1.x for attack a, 127.0.2.x for b, …). Each
 * attack is one test, bounded in connections and time; after each
 * ({@link #theNodeSurvivedAndLetGo()}) the node must be alive with no {@code OutOfMemoryError} and
 * no stack trace in its output, its {@code /health} must have answered 200 within
 * {@value NormalClients#PROBE_TIMEOUT_MILLIS} ms all along, the bridge subscriber must still be
 * connected, the heap after a full collection must be under {@link AttackRun#HEAP_AFTER_GC_BOUND_BYTES},
 * and the descriptors must come back within {@value AttackRun#DESCRIPTOR_MARGIN} of the count before the
 * attacks. The last test checks that both subscribers received every batch acknowledged during
 * them, once and in order. The figures of each attack (heap, descriptors, the publisher's p99,
 * {@code /health}'s worst latency) are printed.
 *
 * <p>What the node says it disconnects must be gone from it while the client still holds its
 * end: a client that does not read would otherwise keep its connection, its descriptor and the
 * kernel's buffers for as long as it likes. That is checked in the node's own descriptors, matched
 * to the client's source address through {@code /proc/PID/net/tcp6}.
 *
 * <p>The tests share one node and run in order; skipped when {@code target/syncbus.jar} is not
 * built. Every process and connection is closed in a {@code finally}; every wait is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpBridgeAttacksIT {
  private static final String JWT_SECRET = "tcp-bridge-attacks-secret-0123456789";
  private static final String UPDATES = Addresses.updates(Configs.DEFAULT);
  private static final int MAX_CONNECTIONS = 2_000;
  private static final long HEADER_TIMEOUT_SECONDS = 2;
  private static final long SUBSCRIBER_BUFFER_BYTES = 1024 * 1024;
  /** {@code bridges.maxFrameBytes} left at its default. */
  private static final int MAX_FRAME_BYTES = 1024 * 1024;
  /** Within README's sizing for {@value JarProcess#NODE_HEAP}: the retained log costs several times this in heap. */
  private static final long RETAIN_BYTES = 8L * 1024 * 1024;
  /** The node checks its bridge connections' deadlines once a second. */
  private static final long SWEEP_SECONDS = 1;
  /** What a loaded 2-core machine may add to a deadline. */
  private static final long LATE_MILLIS = 2_000;
  /** A close sooner than this after the cause was sent is "at once". */
  private static final long AT_ONCE_MILLIS = 1_000;


  private static final long FLOOD_BYTES = 10L * 1024 * 1024;
  /** No write accepted for this long: the node stopped reading the flood. */
  private static final long STALL_MILLIS = 500;
  private static final long FLOOD_DEADLINE_MILLIS = 15_000;
  private static final int OVERSIZED_FRAMES = 12;
  private static final int OVERSIZED_FRAME_BYTES = 60 * 1024 * 1024;
  private static final int STALLED_FRAMES = 12;
  private static final int STALLED_FRAME_BYTES = 900 * 1024;
  private static final int STALLED_SENT_BYTES = 1024;
  private static final int IDLE_CONNECTIONS = 3_000;
  private static final int REPEATED_REGISTERS = 5_000;
  /** Enough to fill the node's socket buffer (Linux's tcp_wmem, 4 MB at most) and limits.subscriberBufferBytes. */
  private static final int BIG_BATCHES = 80;
  private static final int BIG_BATCH_BYTES = 100 * 1024;
  /** Ids of the attacks' own batches, apart from the normal publisher's (1, 2, 3, …). */
  private static final int ATTACK_IDS = 1_000_000;

  /** Static: JUnit injects instance fields after the class's {@code @BeforeAll}, even per class. */
  @TempDir
  static Path dir;

  private final AttackRun run = new AttackRun("TcpBridgeAttacksIT");
  private Vertx vertx;
  private JarProcess node;
  private int port;
  private int bridgePort;
  private JsonObject config;
  private String subscribeToken;
  private NormalClients clients;
  private BridgeSubscriber bridgeSubscriber;
  private TestNode attackPublisher;


  @BeforeAll
  void startTheNodeAndItsNormalClients() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "target/syncbus.jar is not built");
    vertx = Vertx.vertx();
    port = JarProcess.freePort();
    bridgePort = JarProcess.freePort();
    config = config(port, bridgePort);
    node = JarProcess.node(vertx, dir, config, port);
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
    subscribeToken = jwt.generateToken(new JsonObject().put("syncbus", new JsonObject()
        .put(Configs.DEFAULT, new JsonArray().add("subscribe"))), new JWTOptions().setExpiresInSeconds(3600));
    // /health answers before the bridge may listen: the first connection is retried, bounded.
    bridgeSubscriber = Await.await(Await.eventually(vertx, "the bridge subscriber registered", 50, 100,
        () -> vertx.executeBlocking(() -> BridgeSubscriber.register(bridgePort, subscribeToken)), s -> true));
    clients = new NormalClients(vertx, port, config);
    clients.start();
    attackPublisher = new TestNode(vertx, port, config);
    run.started(vertx, node, clients);
  }

  private static JsonObject config(int port, int bridgePort) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", TestNode.HOST).put("port", port))
        .put("auth", new JsonObject().put("jwt", new JsonObject().put("keys", new JsonArray()
            .add(new JsonObject().put("algorithm", "HS256").put("secret", JWT_SECRET)))))
        .put("bridges", new JsonObject().put("tcp", new JsonObject()
            .put("enabled", true).put("host", TestNode.HOST).put("port", bridgePort)))
        .put("limits", new JsonObject()
            .put("maxConnections", MAX_CONNECTIONS)
            .put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS)
            .put("subscriberBufferBytes", SUBSCRIBER_BUFFER_BYTES))
        .put("queues", new JsonObject().put(Configs.DEFAULT, Configs.keyed("id")
            .put("retain", new JsonObject().put("bytes", RETAIN_BYTES))));
  }

  @AfterAll
  void stopEverything() throws Exception {
    try {
      if (clients != null) {
        clients.stop();
        Await.await(clients.close());
      }
      if (attackPublisher != null) {
        Await.await(attackPublisher.close());
      }
    } finally {
      try {
        if (bridgeSubscriber != null) {
          bridgeSubscriber.socket.close();
        }
      } finally {
        try {
          if (vertx != null) {
            Await.await(vertx.close());
          }
        } finally {
          if (node != null) {
            node.close();
          }
        }
      }
    }
    run.summary();
  }

  @BeforeEach
  void beginAttack() {
    run.begin();
  }

  /**
   * After every attack: the node is alive, printed no OutOfMemoryError nor stack trace, answered
   * every /health probe in time, kept the bridge subscriber, gave its descriptors back and holds
   * little heap. Figures are printed before anything is asserted.
   */
  @AfterEach
  void theNodeSurvivedAndLetGo() throws Exception {
    String output = run.assertSurvived();
    assertFalse(bridgeSubscriber.socket.closed().isDone(), () -> "the node closed the bridge subscriber during "
        + run.attack() + "; output:\n" + AttackRun.tail(output));
    assertEquals(List.of(), bridgeSubscriber.errors(), () -> "err frames to the bridge subscriber during " + run.attack());
  }

  @Test
  @Order(1)
  void aClientFloodingInvalidFramesWithoutReadingIsNoLongerReadAndIsClosedWhenTheNodeSaysSo() throws Exception {
    run.attack("a. " + FLOOD_BYTES / (1024 * 1024) + " MB of small invalid frames from a client that never reads");
    String source = RawConnections.source(1, 0);
    int logFrom = node.stderr().length();
    // Whole frames, alternately a JSON object of no type and text that is not JSON.
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    while (frames.size() < 64 * 1024) {
      frames.writeBytes(TcpBridgeSocket.frame("{}"));
      frames.writeBytes(TcpBridgeSocket.frame("not json"));
    }
    try (SocketChannel channel = SocketChannel.open(); Selector selector = Selector.open()) {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, TcpBridgeSocket.SMALL_RECEIVE_BUFFER);
      channel.bind(new InetSocketAddress(source, 0));
      channel.socket().connect(new InetSocketAddress(TestNode.HOST, bridgePort), (int) Await.TIMEOUT.toMillis());
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_WRITE);
      Flood flood = flood(channel, selector, frames.toByteArray());
      int during = run.sampleDescriptors();
      // The frame the node holds begun falls under the header timeout: the node says it closes the
      // connection. With the client still holding its end, the node's must be gone by then.
      long releaseBound = HEADER_TIMEOUT_SECONDS * 1000 + SWEEP_SECONDS * 1000 + LATE_MILLIS;
      long releasedAfter = awaitReleased(source, releaseBound);
      String closing = warningAbout(node.stderr().substring(logFrom), source, "closed");
      long heapStalled = node.heapUsedAfterGcBytes();
      // A channel registered with a selector keeps its socket until it is deregistered: the selector goes first.
      selector.close();
      channel.close();
      // Gone once the client is: then what the node held for it is garbage, and the figures after the attack stable.
      long releasedAfterClientClosed = awaitReleased(source, Await.TIMEOUT.toMillis());
      run.report(run.attack() + ": heap after GC " + AttackRun.megabytes(heapStalled) + " with the flooder connected; once it closed,"
          + " the node let the connection go after " + releasedAfterClientClosed + " ms");
      run.report(run.attack() + ": the client wrote " + flood.sentBytes() + " bytes (into both ends' kernel buffers too); "
          + (flood.stalledAfterMillis() < 0 ? "the node never stopped reading" : "the node stopped reading after "
          + flood.stalledAfterMillis() + " ms") + "; " + (flood.closedAfterMillis() < 0 ? "the client saw no close"
          : "the client saw the close after " + flood.closedAfterMillis() + " ms") + "; " + during + " descriptors;"
          + " the node " + (releasedAfter < 0 ? "still held the connection " + releaseBound + " ms later"
          : "held no connection from " + source + " " + releasedAfter + " ms later") + "; its log: "
          + (closing == null ? "nothing about " + source : closing.substring(closing.indexOf("WARNING"))));

      assertTrue(flood.sentBytes() < FLOOD_BYTES || flood.closedAfterMillis() >= 0, () -> "the node read all "
          + FLOOD_BYTES + " bytes from a client that reads none of its answers, and kept it connected");
      assertTrue(flood.stalledAfterMillis() >= 0 || flood.closedAfterMillis() >= 0,
          "the node neither stopped reading the client nor disconnected it");
      assertTrue(heapStalled < AttackRun.HEAP_AFTER_GC_BOUND_BYTES, () -> "heap after GC " + AttackRun.megabytes(heapStalled)
          + " with one flooder connected, bound " + AttackRun.megabytes(AttackRun.HEAP_AFTER_GC_BOUND_BYTES));
      assertTrue(releasedAfterClientClosed >= 0, () -> "the node still holds the connection from " + source
          + " after the client closed it");
      assertTrue(closing == null || releasedAfter >= 0, () -> "the node logged \"" + closing + "\" but still holds"
          + " the connection from " + source + " " + releaseBound + " ms after the flood stalled (the client, not"
          + " reading, keeps its end open)");
    }
  }

  /** What became of a flood: bytes the node took, when it stopped taking them, when it closed (-1: never). */
  private record Flood(long sentBytes, long stalledAfterMillis, long closedAfterMillis) {}

  /**
   * Writes {@code chunk} over and over to {@code channel}, never reading, until {@value #FLOOD_BYTES}
   * bytes are written, the node takes nothing for {@value #STALL_MILLIS} ms, the node closes the
   * connection, or {@value #FLOOD_DEADLINE_MILLIS} ms pass. Waits for writability on
   * {@code selector}, bounded, never by sleeping; a connection the node reset becomes selectable
   * and its write fails.
   */
  private static Flood flood(SocketChannel channel, Selector selector, byte[] chunk) throws IOException {
    long start = System.nanoTime();
    long lastProgress = start;
    long sent = 0;
    ByteBuffer buffer = ByteBuffer.wrap(chunk);
    for (long elapsed = 0; sent < FLOOD_BYTES && elapsed < FLOOD_DEADLINE_MILLIS; elapsed = millisSince(start)) {
      selector.select(STALL_MILLIS / 5);
      selector.selectedKeys().clear();
      int written;
      try {
        written = channel.write(buffer);
      } catch (IOException e) {
        return new Flood(sent, -1, millisSince(start));
      }
      if (!buffer.hasRemaining()) {
        buffer.rewind();
      }
      if (written > 0) {
        sent += written;
        lastProgress = System.nanoTime();
      } else if (millisSince(lastProgress) >= STALL_MILLIS) {
        return new Flood(sent, TimeUnit.NANOSECONDS.toMillis(lastProgress - start), -1);
      }
    }
    return new Flood(sent, -1, -1);
  }

  /**
   * Waits (bounded by {@code boundMillis}) until the node holds no connection from {@code source};
   * how long that took, or -1 when it still holds one.
   */
  private long awaitReleased(String source, long boundMillis) {
    long start = System.nanoTime();
    try {
      Await.await(Await.eventually(vertx, "the node holds no connection from " + source, (int) (boundMillis / 100) + 1,
          100, () -> vertx.executeBlocking(() -> connectionsFrom(source)), count -> count == 0),
          Duration.ofMillis(boundMillis + Await.TIMEOUT.toMillis()));
      return millisSince(start);
    } catch (AssertionError e) {
      return -1;
    }
  }

  /**
   * The TCP connections from {@code source} the node holds a descriptor for: its descriptors that
   * are sockets, matched by inode against the kernel's tables of TCP sockets
   * ({@code /proc/PID/net/tcp} and {@code tcp6}, where an IPv4 address shows as its four bytes in
   * host order, IPv4-mapped or not).
   */
  private int connectionsFrom(String source) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(node.pid()), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException e) {
          // Closed since it was listed: not held.
        }
      }
    }
    byte[] address = InetAddress.getByName(source).getAddress();
    String remote = String.format("%02X%02X%02X%02X", address[3], address[2], address[1], address[0]);
    int count = 0;
    for (String table : List.of("tcp", "tcp6")) {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(node.pid()), "net", table))) {
        // sl, local address, remote address, state, queues, timers, retransmits, uid, timeout, inode, …
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 9 && fields[2].indexOf(':') > 0
            && fields[2].substring(0, fields[2].indexOf(':')).endsWith(remote) && inodes.contains(fields[9])) {
          count++;
        }
      }
    }
    return count;
  }

  /** The node's first WARN line about a bridge connection from {@code source} that contains {@code what}, or null. */
  private static String warningAbout(String log, String source, String what) {
    return log.lines().filter(line -> line.contains("WARNING")
        && line.contains("bridge connection from " + source + " ") && line.contains(what)).findFirst().orElse(null);
  }

  @Test
  @Order(2)
  void oversizedFramesAreRefusedAtOnceAndStalledFramesClosedByTheHeaderTimeout() throws Exception {
    run.attack("b. " + OVERSIZED_FRAMES + " connections announcing " + OVERSIZED_FRAME_BYTES / (1024 * 1024)
        + " MB frames, " + STALLED_FRAMES + " announcing " + STALLED_FRAME_BYTES / 1024 + " KB and stalling");
    List<Attacker> oversized = new ArrayList<>();
    List<Attacker> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < OVERSIZED_FRAMES + STALLED_FRAMES; i++) {
        boolean big = i < OVERSIZED_FRAMES;
        Attacker attacker = Attacker.connect(RawConnections.source(2, i), bridgePort);
        (big ? oversized : stalled).add(attacker);
        byte[] announced = TcpBridgeSocket.header(big ? OVERSIZED_FRAME_BYTES : STALLED_FRAME_BYTES);
        attacker.send(big ? announced : concat(announced, new byte[STALLED_SENT_BYTES]));
      }
      run.sampleDescriptors();
      List<Long> refusedAfter = new ArrayList<>();
      for (Attacker attacker : oversized) {
        JsonObject answer = TcpBridgeSocket.next(attacker.frames());
        assertEquals("frame_too_large", answer.getString("message"), () -> "the answer to a frame of "
            + OVERSIZED_FRAME_BYTES + " bytes (bridges.maxFrameBytes " + MAX_FRAME_BYTES + "): " + answer.encode());
        refusedAfter.add(attacker.closedAfterSendMillis());
      }
      List<Long> timedOutAfter = new ArrayList<>();
      for (Attacker attacker : stalled) {
        timedOutAfter.add(attacker.closedAfterSendMillis());
      }
      long answered = stalled.stream().filter(attacker -> !attacker.frames().isEmpty()).count();
      run.report(run.attack() + ": " + OVERSIZED_FRAMES + " got frame_too_large and were closed after " + range(refusedAfter)
          + " ms; " + STALLED_FRAMES + " stalled were closed after " + range(timedOutAfter) + " ms (" + answered
          + " of them got a frame first)");

      assertTrue(refusedAfter.stream().allMatch(millis -> millis < AT_ONCE_MILLIS), () -> "the connections announcing "
          + OVERSIZED_FRAME_BYTES + " bytes were closed after " + refusedAfter + " ms, not at once");
      long timeout = HEADER_TIMEOUT_SECONDS * 1000;
      long latest = timeout + SWEEP_SECONDS * 1000 + LATE_MILLIS;
      assertTrue(timedOutAfter.stream().allMatch(millis -> millis >= timeout - 50 && millis <= latest),
          () -> "stalled frames closed after " + timedOutAfter + " ms; expected from " + timeout + " to " + latest);
    } finally {
      for (Attacker attacker : oversized) {
        attacker.socket().close();
      }
      for (Attacker attacker : stalled) {
        attacker.socket().close();
      }
    }
  }

  /** An attacker's bridge connection, read by its own thread into {@link #frames}, timed from its last write. */
  private static final class Attacker {
    private final TcpBridgeSocket socket;
    private final BlockingQueue<JsonObject> frames = TcpBridgeSocket.queue();
    private long sentAtMillis;

    private Attacker(TcpBridgeSocket socket) {
      this.socket = socket.reading(frames);
    }

    static Attacker connect(String source, int port) throws IOException {
      return new Attacker(TcpBridgeSocket.connect(source, port, 0));
    }

    TcpBridgeSocket socket() {
      return socket;
    }

    BlockingQueue<JsonObject> frames() {
      return frames;
    }

    void send(byte[] bytes) {
      socket.send(bytes);
      sentAtMillis = socket.millisSinceOpened();
    }

    /** Waits (bounded) for the node to close the connection; how long after the last write it did. */
    long closedAfterSendMillis() throws InterruptedException, ExecutionException {
      try {
        return socket.closed().get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) - sentAtMillis;
      } catch (TimeoutException e) {
        throw new AssertionError("the node did not close the connection from " + socket.source() + " within "
            + Await.TIMEOUT.toMillis() + " ms", e);
      }
    }
  }

  @Test
  @Order(3)
  void idleConnectionsCostOneDescriptorEachAndThoseBeyondMaxConnectionsAreClosedAtOnce() throws Exception {
    run.attack("c. " + IDLE_CONNECTIONS + " idle bridge connections without credentials, limits.maxConnections "
        + MAX_CONNECTIONS);
    int linesBefore = clients.subscriberLines();
    int bridgeMessagesBefore = bridgeSubscriber.messageCount();
    try (RawConnections attackers = new RawConnections("idle-bridge")) {
      long start = System.nanoTime();
      List<RawConnection> connections = new ArrayList<>();
      for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        connections.add(attackers.open(RawConnections.source(3, i), bridgePort));
      }
      long openingMillis = millisSince(start);
      // The node counts the normal clients' few connections too: at least this many are beyond it.
      int beyond = IDLE_CONNECTIONS - MAX_CONNECTIONS;
      awaitClosedCount(attackers, connections, beyond);
      int open = (int) connections.stream().filter(c -> !c.closed().isDone()).count();
      int during = run.awaitDescriptorsAtMost(run.descriptorsAtStart() + open + AttackRun.DESCRIPTOR_MARGIN);
      List<Long> refusedAfter = connections.stream().filter(c -> c.closed().isDone()).map(c -> c.closed().join())
          .toList();
      // Held past a header timeout: a bridge connection that never begins a frame has no deadline.
      long holdUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEADER_TIMEOUT_SECONDS + SWEEP_SECONDS)
          + TimeUnit.MILLISECONDS.toNanos(LATE_MILLIS);
      CompletableFuture<?> anyMore = CompletableFuture.anyOf(connections.stream().filter(c -> !c.closed().isDone())
          .map(RawConnection::closed).toArray(CompletableFuture[]::new));
      boolean closedLater = awaitUntil(anyMore, holdUntil);
      int stillOpen = (int) connections.stream().filter(c -> !c.closed().isDone()).count();
      int heldDescriptors = run.sampleDescriptors();
      // The node's connections are all taken: a client that comes now is turned away (status 0: closed unanswered).
      int newcomer = RawConnections.exchange(TestNode.HOST, port, "GET /health HTTP/1.1\r\nHost: " + TestNode.HOST
          + ":" + port + "\r\nConnection: close\r\n\r\n", new byte[0], false);
      run.report(run.attack() + ": opened in " + openingMillis + " ms; " + refusedAfter.size() + " closed at once (after "
          + range(refusedAfter) + " ms), " + open + " admitted; descriptors " + run.descriptorsAtStart() + " before, "
          + during + " with them open (+" + (during - run.descriptorsAtStart()) + "); "
          + stillOpen + " still open " + (HEADER_TIMEOUT_SECONDS + SWEEP_SECONDS + LATE_MILLIS / 1000)
          + " s later (" + heldDescriptors + " descriptors" + (closedLater ? "; some closed meanwhile" : "")
          + "); a new HTTP client then got " + (newcomer == 0 ? "no answer (closed)" : "status " + newcomer)
          + "; meanwhile the HTTP subscriber received "
          + (clients.subscriberLines() - linesBefore) + " lines, the bridge subscriber "
          + (bridgeSubscriber.messageCount() - bridgeMessagesBefore) + " messages");

      assertTrue(refusedAfter.size() >= beyond, () -> refusedAfter.size() + " closed at once; at least " + beyond
          + " were beyond limits.maxConnections");
      assertTrue(refusedAfter.stream().allMatch(millis -> millis < AT_ONCE_MILLIS), () -> "the connections beyond"
          + " limits.maxConnections were closed after " + range(refusedAfter) + " ms, not at once");
      assertTrue(open <= MAX_CONNECTIONS, () -> open + " attackers admitted, limits.maxConnections " + MAX_CONNECTIONS);
      assertTrue(during - run.descriptorsAtStart() <= open + AttackRun.DESCRIPTOR_MARGIN, () -> "descriptors grew by "
          + (during - run.descriptorsAtStart()) + " for " + open + " connections open");
      assertTrue(during - run.descriptorsAtStart() >= open - AttackRun.DESCRIPTOR_MARGIN, () -> "descriptors grew by "
          + (during - run.descriptorsAtStart()) + " for " + open + " connections open: they are not where they are counted");
      assertTrue(clients.subscriberLines() > linesBefore,
          "the HTTP subscriber received nothing while the node was full");
      assertTrue(bridgeSubscriber.messageCount() > bridgeMessagesBefore,
          "the bridge subscriber received nothing while the node was full");
      NormalClients.Window window = clients.between(run.attackStart(), System.nanoTime());
      assertEquals(0, window.refusedPublishes(), () -> "the publisher, admitted before, was refused while the node"
          + " was full: " + window.publishes());
    }
  }

  /** Waits (bounded) until at least {@code count} of {@code connections} were closed by the node. */
  private void awaitClosedCount(RawConnections attackers, List<RawConnection> connections, int count) {
    try {
      Await.await(Await.eventually(vertx, count + " connections closed", 150, 50,
          () -> Future.succeededFuture(connections.stream().filter(c -> c.closed().isDone()).count()),
          closed -> closed >= count));
    } catch (AssertionError e) {
      attackers.assertReading();
      throw new AssertionError(e.getMessage() + "; at least " + count + " were beyond limits.maxConnections", e);
    }
  }

  /** Whether {@code future} completed by {@code deadlineNanos} ({@link System#nanoTime()}). */
  private static boolean awaitUntil(CompletableFuture<?> future, long deadlineNanos) throws InterruptedException {
    try {
      future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  @Test
  @Order(4)
  void registeringTheSameAddressThousandsOfTimesDeliversEachBatchOnce() throws Exception {
    run.attack("d. " + REPEATED_REGISTERS + " register frames for " + UPDATES + " on one connection");
    ByteArrayOutputStream registers = new ByteArrayOutputStream();
    byte[] register = TcpBridgeSocket.frame(registerFrame(subscribeToken));
    for (int i = 0; i < REPEATED_REGISTERS; i++) {
      registers.writeBytes(register);
    }
    List<JsonObject> frames = new ArrayList<>();
    try (TcpBridgeSocket socket = TcpBridgeSocket.connect(RawConnections.source(4, 0), bridgePort, 0)) {
      long start = System.nanoTime();
      socket.send(registers.toByteArray());
      String barrier = "d-barrier";
      // Frames are handled in order: the reply to a later request follows every registration.
      socket.send(snapshotRequest(barrier, subscribeToken));
      socket.readUntil(frame -> barrier.equals(frame.getString("address")), frames::add, 10_000);
      long registeredMillis = millisSince(start);
      run.sampleDescriptors();
      BlockingQueue<JsonObject> later = TcpBridgeSocket.queue();
      socket.reading(later);

      int id = ATTACK_IDS + 1;
      Await.await(attackPublisher.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":" + id + "}}]"));
      long seq = -1;
      // The normal publisher's next batch follows within its interval: every copy of ours came before it.
      for (int read = 0; read < 1_000; read++) {
        JsonObject frame = TcpBridgeSocket.next(later);
        frames.add(frame);
        if (seq < 0 && idsOf(frame).contains(id)) {
          seq = seqOf(frame);
        } else if (seq >= 0 && seqOf(frame) > seq) {
          break;
        }
      }
      long published = seq;
      List<Long> seqs = frames.stream().filter(TcpBridgeAttacksIT::isUpdate).map(TcpBridgeAttacksIT::seqOf).toList();
      long copies = frames.stream().filter(frame -> idsOf(frame).contains(id)).count();
      List<JsonObject> errors = frames.stream().filter(frame -> "err".equals(frame.getString("type"))).toList();
      run.report(run.attack() + ": registered in " + registeredMillis + " ms; the batch published (seq " + published
          + ") arrived " + copies + " time(s); " + seqs.size() + " messages, " + errors.size() + " err frames");

      assertTrue(published > 0, "the batch published never reached the connection");
      assertEquals(1, copies, () -> "copies of batch " + published + " on a connection that registered "
          + REPEATED_REGISTERS + " times");
      assertEquals(seqs.size(), new HashSet<>(seqs).size(), () -> "a batch came twice: seqs " + seqs);
      assertEquals(List.of(), errors, "err frames answering repeated registrations of one address");
    }
  }

  @Test
  @Order(5)
  void aBridgeSubscriberThatNeverReadsIsDisconnectedPastSubscriberBufferBytes() throws Exception {
    run.attack("e. a bridge subscriber that never reads while batches of " + BIG_BATCH_BYTES / 1024 + " KB are published");
    String source = RawConnections.source(5, 0);
    int logFrom = node.stderr().length();
    try (TcpBridgeSocket socket = TcpBridgeSocket.connect(source, bridgePort, TcpBridgeSocket.SMALL_RECEIVE_BUFFER)) {
      socket.send(registerFrame(subscribeToken));
      String barrier = "e-barrier";
      socket.send(snapshotRequest(barrier, subscribeToken));
      socket.readUntil(frame -> barrier.equals(frame.getString("address")), frame -> { }, 1_000);
      // From here on it reads nothing.
      long start = System.nanoTime();
      String blob = "x".repeat(BIG_BATCH_BYTES);
      int published = 0;
      String warning = null;
      for (int i = 0; i < BIG_BATCHES && warning == null; i++) {
        Await.await(attackPublisher.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":"
            + (ATTACK_IDS + 2) + ",\"blob\":\"" + blob + "\"}}]"));
        published++;
        warning = warningAbout(node.stderr().substring(logFrom), source, "limits.subscriberBufferBytes");
      }
      long warnedMillis = millisSince(start);
      int batches = published;
      String line = warning;
      int during = run.sampleDescriptors();
      // Disconnected at once, as the node says, while the client still holds its end unread.
      long releaseBound = AT_ONCE_MILLIS + LATE_MILLIS;
      long releasedAfter = line == null ? -1 : awaitReleased(source, releaseBound);
      // Its socket drained now: what the node had handed to the kernel, then the end.
      socket.reading(frame -> { });
      boolean closedOnceRead = socket.closedWithin(Await.TIMEOUT);
      run.report(run.attack() + ": " + (line == null ? "no WARN line" : "the WARN line") + " after " + batches + " batches ("
          + warnedMillis + " ms), " + during + " descriptors; the node " + (releasedAfter < 0
          ? "still held the connection " + releaseBound + " ms later" : "held no connection from " + source + " "
          + releasedAfter + " ms later") + "; once the client read, the connection " + (closedOnceRead ? "ended"
          : "stayed open") + (line == null ? "" : "; its log: " + line.substring(line.indexOf("WARNING"))));

      assertTrue(line != null, () -> "no WARN line about " + source + " and limits.subscriberBufferBytes after "
          + batches + " batches of " + BIG_BATCH_BYTES + " bytes it never read");
      assertTrue(releasedAfter >= 0, () -> "the node logged \"" + line + "\" but still holds the connection from "
          + source + " " + releaseBound + " ms later (the client, not reading, keeps its end open)");
      assertTrue(closedOnceRead, "the connection went on after the node disconnected it");
    }
  }

  @Test
  @Order(6)
  void bothSubscribersReceivedEveryBatchAcknowledgedDuringTheAttacksOnceAndInOrder() {
    run.attack("f. after the attacks");
    List<Integer> acknowledged = clients.acknowledgedIds();
    assertFalse(acknowledged.isEmpty(), "no batch was acknowledged");
    int last = acknowledged.get(acknowledged.size() - 1);
    Set<Integer> wanted = new HashSet<>(acknowledged);
    List<Integer> overHttp = clients.receivedIds(last);
    List<Integer> overTheBridge = Await.await(Await.eventually(vertx, "the bridge subscriber received batch " + last,
        150, 100, () -> vertx.executeBlocking(bridgeSubscriber::ids), ids -> ids.contains(last)));
    List<Long> seqs = bridgeSubscriber.seqs();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < seqs.size(); i++) {
      if (seqs.get(i) != seqs.get(i - 1) + 1) {
        gaps.add(seqs.get(i - 1));
      }
    }
    run.report(run.attack() + ": " + acknowledged.size() + " batches acknowledged; received " + overHttp.size()
        + " over HTTP, " + overTheBridge.size() + " over the bridge (seq " + seqs.get(0) + " to "
        + seqs.get(seqs.size() - 1)
        + ", " + gaps.size() + " gaps)");
    assertEquals(acknowledged, overHttp.stream().filter(wanted::contains).toList(),
        "the acknowledged batches as the HTTP subscriber received them (each once, in order)");
    assertEquals(acknowledged, overTheBridge.stream().filter(wanted::contains).toList(),
        "the acknowledged batches as the bridge subscriber received them (each once, in order)");
    assertEquals(List.of(), gaps, "seqs after which the bridge subscriber missed batches");
  }

  /**
   * The normal bridge subscriber: registered on the queue's updates with a JWT before anything is
   * published, reading everything on its own thread, keeping each message's seq and record ids.
   */
  private static final class BridgeSubscriber {
    private final TcpBridgeSocket socket;
    private final List<Long> seqs = new ArrayList<>();
    private final List<Integer> ids = new ArrayList<>();
    private final List<JsonObject> errors = new ArrayList<>();

    private BridgeSubscriber(TcpBridgeSocket socket) {
      this.socket = socket;
    }

    static BridgeSubscriber register(int port, String token) throws IOException {
      TcpBridgeSocket socket = TcpBridgeSocket.connect(TestNode.HOST, port, 0);
      try {
        BridgeSubscriber subscriber = new BridgeSubscriber(socket);
        socket.send(registerFrame(token));
        String barrier = "normal-barrier";
        socket.send(snapshotRequest(barrier, token));
        socket.readUntil(frame -> barrier.equals(frame.getString("address")), subscriber::receive, 1_000);
        socket.reading(subscriber::receive);
        return subscriber;
      } catch (IOException | RuntimeException | AssertionError e) {
        try {
          socket.close();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
        throw e;
      }
    }

    private synchronized void receive(JsonObject frame) {
      if (isUpdate(frame)) {
        seqs.add(seqOf(frame));
        ids.addAll(idsOf(frame));
      } else {
        errors.add(frame);
      }
    }

    synchronized List<Integer> ids() {
      return List.copyOf(ids);
    }

    synchronized List<Long> seqs() {
      return List.copyOf(seqs);
    }

    synchronized int messageCount() {
      return seqs.size();
    }

    synchronized List<JsonObject> errors() {
      return List.copyOf(errors);
    }
  }

  private static JsonObject registerFrame(String token) {
    return new JsonObject().put("type", "register").put("address", UPDATES)
        .put("headers", new JsonObject().put("token", token));
  }

  private static JsonObject snapshotRequest(String replyAddress, String token) {
    return new JsonObject().put("type", "send").put("address", Addresses.snapshot(Configs.DEFAULT))
        .put("replyAddress", replyAddress).put("body", new JsonObject())
        .put("headers", new JsonObject().put("Authorization", "Bearer " + token));
  }

  private static boolean isUpdate(JsonObject frame) {
    return "message".equals(frame.getString("type")) && UPDATES.equals(frame.getString("address"));
  }

  private static long seqOf(JsonObject frame) {
    return isUpdate(frame) ? frame.getJsonObject("body").getLong("seq") : -1;
  }

  private static List<Integer> idsOf(JsonObject frame) {
    if (!isUpdate(frame)) {
      return List.of();
    }
    List<Integer> ids = new ArrayList<>();
    for (Object update : frame.getJsonObject("body").getJsonArray("batch")) {
      ids.add(((JsonObject) update).getJsonObject("data").getInteger("id"));
    }
    return ids;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static String range(List<Long> millis) {
    return millis.isEmpty() ? "-" : millis.stream().mapToLong(Long::longValue).min().getAsLong() + "–"
        + millis.stream().mapToLong(Long::longValue).max().getAsLong();
  }
}
