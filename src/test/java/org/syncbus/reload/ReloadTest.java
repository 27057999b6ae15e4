package org.syncbus.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.Node;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * Editing the configuration file of a running node (scanned every second here) while polls are
 * open: what may change does, within a scan; open streams are untouched unless their queue goes;
 * a bad edit changes nothing.
 */
class ReloadTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final long OVERLAP_SECONDS = 30;

  @TempDir
  Path dir;

  private static JsonObject config(JsonObject queues, long overlapSeconds) {
    return Configs.node(queues)
        .put("reload", new JsonObject().put("scanSeconds", 1))
        .put("auth", new JsonObject().put("secretOverlapSeconds", overlapSeconds));
  }

  private static JsonObject queue(String pk, String publish, String subscribe) {
    return new JsonObject().put("pk", pk)
        .put("secrets", new JsonObject().put("publish", publish).put("subscribe", subscribe));
  }

  private Future<HttpReply> pollStatus(TestNode node, String queue, String subscribeSecret) {
    return node.get("/queues/" + queue + "/info" + Tokens.pollQuery(Tokens.poll(subscribeSecret)));
  }

  /** Waits (bounded, one scan period at a time) until the node answers {@code status} with {@code secret}. */
  private void awaitStatus(TestNode node, String queue, String secret, int status) {
    Await.await(Await.eventually(vertx, "queue " + queue + " answering " + status, 60, 250,
        () -> pollStatus(node, queue, secret), reply -> reply.status() == status));
  }

  private static void edit(Path file, JsonObject config) throws IOException {
    Files.writeString(file, config.encodePrettily());
  }

  /**
   * The overlap is measured on the node's clock, which the test moves: the old secret works until
   * the overlap's last moment and is refused right after, with no waiting in real time.
   */
  @Test
  void rotatedSecretsAreAcceptedAtOnceTheOldOnesDuringTheOverlapAndOpenPollsGoOn() throws IOException {
    Path file = dir.resolve("syncbus.json");
    FakeClock clock = FakeClock.atSystemTime();
    TestNode node = startFromFile(config(new JsonObject().put(Q, queue("id", "pub-1", "sub-1")), OVERLAP_SECONDS),
        file, clock);
    PollStream open = await(node.openPoll(TestNode.pollPath(Q) + Tokens.pollQuery(Tokens.poll("sub-1"))));
    assertEquals("[]", await(open.line(0)));

    edit(file, config(new JsonObject().put(Q, queue("id", "pub-2", "sub-2")), OVERLAP_SECONDS));
    awaitStatus(node, Q, "sub-2", 200);
    clock.advance(Duration.ofSeconds(OVERLAP_SECONDS).minusMillis(1));
    assertEquals(200, await(pollStatus(node, Q, "sub-1")).status(), "the old secret is still accepted during the overlap");
    clock.advance(Duration.ofMillis(1));
    assertEquals(403, await(pollStatus(node, Q, "sub-1")).status(), "the old secret is refused once the overlap ends");

    String batch = "[{\"type\":\"update\",\"data\":{\"id\":1}}]";
    assertEquals(403, await(node.postUpdate(TestNode.updatePath(Q), batch, Tokens.update("pub-1", batch))).status());
    assertEquals(200, await(node.postUpdate(TestNode.updatePath(Q), batch, Tokens.update("pub-2", batch))).status());
    assertEquals(batch, await(open.line(1)), "the poll opened with the old secret goes on");
  }

  @Test
  void withoutOverlapTheOldSecretIsRefusedAtOnce() throws IOException {
    Path file = dir.resolve("syncbus.json");
    TestNode node = startFromFile(config(new JsonObject().put(Q, queue("id", "pub-1", "sub-1")), 0), file);
    edit(file, config(new JsonObject().put(Q, queue("id", "pub-1", "sub-2")), 0));
    awaitStatus(node, Q, "sub-2", 200);
    assertEquals(403, await(pollStatus(node, Q, "sub-1")).status());
  }

  @Test
  void addedQueueIsServedAndRemovedQueueEndsItsStreamsAndAnswers404() throws IOException {
    Path file = dir.resolve("syncbus.json");
    JsonObject one = new JsonObject().put(Q, queue("id", "pub", "sub"));
    TestNode node = startFromFile(config(one, 0), file);
    PollStream onDefault = await(node.openPoll(TestNode.pollPath(Q) + Tokens.pollQuery(Tokens.poll("sub"))));
    await(onDefault.line(0));

    edit(file, config(one.copy().put("rooms", queue("room", "rpub", "rsub")), 0));
    awaitStatus(node, "rooms", "rsub", 200);
    PollStream onRooms = await(node.openPoll("/queues/rooms/poll" + Tokens.pollQuery(Tokens.poll("rsub"))));
    assertEquals(200, onRooms.status());
    assertEquals("[]", await(onRooms.line(0)));
    String batch = "[{\"type\":\"update\",\"data\":{\"room\":\"r1\"}}]";
    assertEquals(200, await(node.postUpdate("/queues/rooms/update", batch, Tokens.update("rpub", batch))).status());
    assertEquals(batch, await(onRooms.line(1)));

    edit(file, config(one, 0));
    await(onRooms.ended());
    assertEquals("", onRooms.unterminated(), "the removed queue's stream ended cleanly");
    awaitStatus(node, "rooms", "rsub", 404);
    assertEquals(404, await(node.get("/queues/rooms/poll" + Tokens.pollQuery(Tokens.poll("rsub")))).status());
    String other = "[{\"type\":\"update\",\"data\":{\"id\":3}}]";
    assertEquals(200, await(node.postUpdate(TestNode.updatePath(Q), other, Tokens.update("pub", other))).status());
    assertEquals(other, await(onDefault.line(1)), "the other queue's stream was untouched");
  }

  /**
   * A stream ended by the server (its queue removed) ends as its head said: the final chunk, then
   * its connection closes ({@code Connection: close}: a stream holds its channel itself once open,
   * so no next request is read on it), whether or not the request asked for keep-alive. The same
   * on both kinds of stream.
   */
  @ParameterizedTest
  @ValueSource(strings = {"poll", "events"})
  void streamEndedByTheServerEndsWithTheFinalChunkThenClosesItsConnectionAsItsHeadSaid(String kind) throws IOException {
    Path file = dir.resolve("syncbus.json");
    JsonObject one = new JsonObject().put(Q, queue("id", "pub", "sub"));
    JsonObject two = one.copy().put("rooms", queue("room", "rpub", "rsub"));
    TestNode node = startFromFile(config(two, 0), file);
    await(node.awaitReady());
    String request = "GET /queues/rooms/" + kind + Tokens.pollQuery(Tokens.poll("rsub")) + " HTTP/1.1\r\nHost: x\r\n";
    try (Socket keepAlive = new Socket(TestNode.HOST, node.port()); Socket close = new Socket(TestNode.HOST, node.port())) {
      keepAlive.setSoTimeout(10_000);
      close.setSoTimeout(10_000);
      send(keepAlive, request + "\r\n");
      send(close, request + "Connection: close\r\n\r\n");
      for (Socket socket : List.of(keepAlive, close)) {
        String head = readUntil(socket, "\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n"), head);
      }
      await(node.awaitSubscribers("rooms", 2));

      edit(file, config(one, 0));
      for (Socket socket : List.of(keepAlive, close)) {
        readUntil(socket, "\r\n0\r\n\r\n");
        assertEquals(-1, socket.getInputStream().read(), "closed after the final chunk");
      }
    }
  }

  /**
   * A stream the server ends while its client reads nothing: its final chunk cannot be written, and
   * a stream's connection is timed by nothing else, so it is cut after {@code http.idleTimeoutSeconds}
   * (as a connection between requests) with one line saying so, instead of being kept for as long
   * as the client waits.
   */
  @Test
  void streamEndedByTheServerWhileItsClientReadsNothingIsCutWithinABound() throws IOException {
    Path file = dir.resolve("syncbus.json");
    JsonObject one = new JsonObject().put(Q, queue("id", "pub", "sub"));
    JsonObject two = one.copy().put("rooms", queue("room", "rpub", "rsub"));
    JsonObject limits = new JsonObject().put("subscriberBufferBytes", 64L << 20);
    JsonObject started = config(two, 0).put("limits", limits);
    started.getJsonObject("http").put("idleTimeoutSeconds", 1);
    TestNode node = startFromFile(started, file);
    await(node.awaitReady());
    try (Socket stuck = new Socket(); LogCapture log = LogCapture.of("org.syncbus.clients")) {
      stuck.setReceiveBufferSize(4096);
      stuck.connect(new InetSocketAddress(TestNode.HOST, node.port()));
      stuck.setSoTimeout(10_000);
      send(stuck, "GET /queues/rooms/poll" + Tokens.pollQuery(Tokens.poll("rsub")) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      readUntil(stuck, "\r\n[]\n\r\n");
      // From now on the client reads nothing: 8 MB of lines fill the kernel's buffers and the node's
      // outbound one, and wait in the subscriber (within its limit: it is not cut as too slow).
      String big = "x".repeat(100_000);
      for (int i = 0; i < 80; i++) {
        String batch = "[{\"type\":\"update\",\"data\":{\"room\":1,\"v\":\"" + big + "\"}}]";
        assertEquals(200, await(node.postUpdate("/queues/rooms/update", batch, Tokens.update("rpub", batch))).status());
      }
      await(node.awaitSubscribers("rooms", 1));

      JsonObject edited = config(one, 0).put("limits", limits);
      edited.getJsonObject("http").put("idleTimeoutSeconds", 1);
      edit(file, edited);
      String cut = await(log.message(message -> message.contains("its end was not read within")));
      assertTrue(cut.contains("stream to 127.0.0.1:" + stuck.getLocalPort()) && cut.contains("(http.idleTimeoutSeconds)"), cut);
      assertTrue(drainedUntilClosed(stuck) < 80 * big.length(), "cut, not ended: the client did not get every line");
    }
  }

  /** Reads {@code socket} until it is closed or reset; the bytes read. Bounded by the socket's timeout. */
  private static long drainedUntilClosed(Socket socket) throws IOException {
    byte[] buffer = new byte[65536];
    long total = 0;
    try {
      for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
        total += n;
      }
    } catch (SocketException reset) {
      // Cut by a reset: closed all the same.
    }
    return total;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** What {@code socket} receives up to and including {@code end}; bounded by the socket's timeout. */
  private static String readUntil(Socket socket, String end) throws IOException {
    StringBuilder received = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (received.indexOf(end) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed before " + end.replace("\r\n", "\\r\\n") + "; got: " + received);
      }
      received.append((char) b);
    }
    return received.toString();
  }

  /**
   * README, "Reloading the configuration": a reload logs one line naming the settings it changed
   * by their paths, never a value; a SIGHUP on an unchanged file logs that nothing changed.
   */
  @Test
  void reloadLogsTheSettingsChangedByPathAndSighupOnAnUnchangedFileLogsNoChange() throws IOException {
    Path file = dir.resolve("syncbus.json");
    LogCapture log = closeAfter(LogCapture.of("org.syncbus.Reloader"));
    JsonObject queues = new JsonObject().put(Q, queue("id", "pub", "sub"));
    startFromFile(config(queues, 0), file);

    Node.of(vertx).reload();
    assertEquals("configuration reloaded: no change", await(log.message(line -> line.startsWith("configuration reloaded"))));

    JsonObject edited = config(new JsonObject().put(Q, queue("id", "pub", "sub-rotated")
        .put("limits", new JsonObject().put("records", 10))), 0);
    edited.getJsonObject("auth").put("timeTokens", new JsonObject().put("ttlSeconds", 30));
    edit(file, edited);
    assertEquals("configuration reloaded: changed auth.timeTokens.ttlSeconds, queues.default.secrets.subscribe, "
        + "queues.default.limits.records", await(log.message(line -> line.startsWith("configuration reloaded: changed"))));
    assertEquals(2, log.messages().stream().filter(line -> line.startsWith("configuration reloaded")).count(),
        () -> "one line per reload: " + log.messages());
  }

  @Test
  void invalidEditIsIgnoredWithOneLogLineAndTheNodeKeepsServing() throws IOException {
    Path file = dir.resolve("syncbus.json");
    LogCapture log = closeAfter(LogCapture.of("org.syncbus"));
    JsonObject good = config(new JsonObject().put(Q, queue("id", "pub", "sub")), 0);
    TestNode node = startFromFile(good, file);
    PollStream open = await(node.openPoll(TestNode.pollPath(Q) + Tokens.pollQuery(Tokens.poll("sub"))));
    await(open.line(0));

    Files.writeString(file, "{\"queues\": {\"default\": {\"pk\": \"id\", \"secrets\": {\"publish\": \"half-writ");
    String parseError = await(log.message(line -> line.contains("not reloaded")));
    assertTrue(parseError.contains("not valid JSON") && !parseError.contains("half-writ"), parseError);
    edit(file, config(new JsonObject().put(Q, new JsonObject().put("secrets", new JsonObject())), 0));
    String missingPk = await(log.message(line -> line.contains("queues.default.pk: missing")));
    assertTrue(missingPk.contains("not reloaded"), missingPk);

    assertEquals(200, await(pollStatus(node, Q, "sub")).status(), "the last good configuration still serves");
    edit(file, config(new JsonObject().put(Q, queue("id", "pub", "sub-next")), 0));
    awaitStatus(node, Q, "sub-next", 200);
    assertTrue(!open.ended().isComplete(), "the open poll was never interrupted");
  }
}
