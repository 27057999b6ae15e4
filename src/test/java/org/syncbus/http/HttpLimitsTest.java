package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * README, "Limits", over real sockets: connections are admitted up to the node's and the address's
 * limits; a connection that sends no complete headers, or sits idle between requests, is closed;
 * a body too slow gets 408 and one that does not fit the node's body budget 503 before it is read;
 * a stream is never idle. What clients cause is logged as one line, never a stack trace, and no
 * credential reaches the log at any level.
 *
 * <p>Raw sockets are read on the test thread with a socket timeout: every wait is bounded.
 */
class HttpLimitsTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  /** Longer than any timeout configured here plus the one-second sweep: a closed connection shows by then. */
  private static final int READ_TIMEOUT_MILLIS = 8_000;

  private final List<Socket> sockets = new ArrayList<>();
  private final Records records = new Records();

  @AfterEach
  void closeSockets() throws IOException {
    atTheEnd.forEach(Runnable::run);
    for (Socket socket : sockets) {
      socket.close();
    }
    records.close();
  }

  private TestNode start(JsonObject limits, JsonObject http) {
    JsonObject config = Configs.defaultNode().put("limits", limits);
    config.getJsonObject("http").mergeIn(http);
    return start(config);
  }

  private Socket connect(TestNode node, String from) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress(TestNode.HOST, node.port()));
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  /** Reads until the server closes the connection; what it sent. Fails the test past the read timeout. */
  private static String readUntilClosed(Socket socket) throws IOException {
    StringBuilder received = new StringBuilder();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketException reset) {
      // Closed by a reset: closed all the same.
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after " + READ_TIMEOUT_MILLIS + " ms; got: " + received);
    }
    return received.toString();
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Test
  void connectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws IOException {
    TestNode node = start(new JsonObject().put("headerTimeoutSeconds", 1), new JsonObject());
    long started = System.nanoTime();
    assertEquals("", readUntilClosed(connect(node, "127.0.0.2")));
    assertTrue(System.nanoTime() - started >= 1_000_000_000L, "not before the header timeout");
  }

  @Test
  void connectionThatTricklesItsHeadersIsClosedAfterTheHeaderTimeout() throws IOException {
    TestNode node = start(new JsonObject().put("headerTimeoutSeconds", 1), new JsonObject());
    Socket slowloris = connect(node, "127.0.0.2");
    send(slowloris, "GET /__ping HTTP/1.1\r\nHost: x\r\n");
    assertFalse(readUntilClosed(slowloris).contains("pong"));
  }

  @Test
  void idleKeepAliveConnectionIsClosedWhileAStreamOnAQuietQueueStaysOpen() throws IOException {
    TestNode node = start(new JsonObject(), new JsonObject().put("idleTimeoutSeconds", 1));
    PollStream quiet = await(node.pollOk(Q));
    assertEquals("[]", await(quiet.line(0)));
    Socket keepAlive = connect(node, "127.0.0.2");
    send(keepAlive, "GET /__ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(readUntilClosed(keepAlive).endsWith("pong"), "answered, then closed once idle");

    assertFalse(quiet.ended().isComplete(), "the stream, opened before, outlived the idle timeout");
    // Published on a connection of its own: the test client's pooled ones are idle past 1 s too.
    String batch = "[{\"type\":\"update\",\"data\":{\"id\":1}}]";
    Socket publisher = connect(node, TestNode.HOST);
    String form = "data=" + Tokens.encode(batch) + "&hmac=" + Tokens.encode(Tokens.update(node.publishSecret(Q), batch));
    send(publisher, "POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Connection: close\r\nContent-Length: " + form.length() + "\r\n\r\n" + form);
    assertTrue(readUntilClosed(publisher).startsWith("HTTP/1.1 200"));
    assertEquals(batch, await(quiet.line(1)));
  }

  @Test
  void webSocketOfTheSockJsBridgeIsNeverIdle() throws IOException {
    JsonObject config = Configs.defaultNode().put("bridges", new JsonObject()
        .put("sockjs", new JsonObject().put("enabled", true)));
    config.getJsonObject("http").put("idleTimeoutSeconds", 1);
    TestNode node = start(config);
    WebSocket socket = await(vertx.createWebSocketClient()
        .connect(node.port(), TestNode.HOST, "/eventbus/websocket"));
    Socket keepAlive = connect(node, "127.0.0.2");
    send(keepAlive, "GET /__ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(readUntilClosed(keepAlive).endsWith("pong"), "answered, then closed once idle");
    assertFalse(socket.isClosed(), "the WebSocket, opened before, outlived the idle timeout");
    await(socket.close());
  }

  @Test
  void connectionsOverTheNodeLimitAreClosedAtOnceAndOpenOnesAreServed() throws IOException {
    TestNode node = start(new JsonObject().put("maxConnections", 3).put("headerTimeoutSeconds", 30),
        new JsonObject());
    PollStream open = await(node.pollOk(Q));
    await(open.line(0));
    Socket second = connect(node, "127.0.0.2");
    Socket third = connect(node, "127.0.0.3");
    long started = System.nanoTime();
    assertEquals("", readUntilClosed(connect(node, "127.0.0.4")));
    assertTrue(System.nanoTime() - started < 10_000_000_000L, "closed at once, not at a timeout");

    second.close();
    third.close();
    String batch = "[{\"type\":\"update\",\"data\":{\"id\":2}}]";
    await(node.publishOk(Q, batch));
    assertEquals(batch, await(open.line(1)), "the connection admitted first is still served");
  }

  @Test
  void connectionsOverTheAddressLimitAreClosedWhileOtherAddressesAreAdmitted() throws IOException {
    TestNode node = start(new JsonObject().put("maxConnectionsPerAddress", 2).put("headerTimeoutSeconds", 30),
        new JsonObject());
    connect(node, "127.0.0.2");
    connect(node, "127.0.0.2");
    assertEquals("", readUntilClosed(connect(node, "127.0.0.2")));
    Socket other = connect(node, "127.0.0.3");
    send(other, "GET /__ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(readUntilClosed(other).endsWith("pong"));
  }

  /**
   * A stream holds its channel itself once open (not through Vert.x's connection): its client's
   * leaving still gives its place among the address's connections back, and a stream that was
   * ended gives it back too.
   */
  @Test
  void streamsWhoseClientsLeftGiveTheirPlacesAmongTheAddresssConnectionsBack() throws IOException {
    TestNode node = start(new JsonObject().put("maxConnectionsPerAddress", 2).put("headerTimeoutSeconds", 30),
        new JsonObject());
    for (int round = 0; round < 3; round++) {
      Socket first = openStream(node, "127.0.0.2");
      Socket second = openStream(node, "127.0.0.2");
      await(node.awaitSubscribers(Q, 2));
      assertEquals("", readUntilClosed(connect(node, "127.0.0.2")), "round " + round + ": a third is over the limit");
      first.close();
      second.close();
      await(node.awaitSubscribers(Q, 0));
    }
  }

  /** A {@code /poll} stream from {@code from}, once its backlog line arrived. */
  private Socket openStream(TestNode node, String from) throws IOException {
    Socket socket = connect(node, from);
    send(socket, "GET " + TestNode.pollPath(Q) + Tokens.pollQuery(node.pollToken(Q)) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    InputStream in = socket.getInputStream();
    StringBuilder received = new StringBuilder();
    while (received.indexOf("\r\n\r\n3\r\n[]\n\r\n") < 0) {
      int b = in.read();
      assertTrue(b >= 0, "closed before the backlog line: " + received);
      received.append((char) b);
    }
    return socket;
  }

  @Test
  void bodySlowerThanTheMinimumIsRefusedWith408() throws IOException {
    TestNode node = start(new JsonObject().put("minBodyBytesPerSecond", 4096), new JsonObject());
    Socket slow = connect(node, "127.0.0.2");
    send(slow, "POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: 100000\r\n\r\ndata=");
    String answer = readUntilClosed(slow);
    assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
    assertTrue(answer.contains("Request body too slow"), answer);
  }

  @Test
  void bodyThatDoesNotFitTheBudgetIsRefusedWith503BeforeItIsRead() throws IOException {
    TestNode node = start(new JsonObject().put("bufferedBodyBytes", 4096), new JsonObject());
    Socket big = connect(node, "127.0.0.2");
    send(big, "POST /update HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + "Content-Length: 5000\r\n\r\n");
    String answer = readUntilClosed(big);
    assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
    assertTrue(answer.toLowerCase().contains("retry-after: 1"), answer);
    assertTrue(answer.contains("limits.bufferedBodyBytes"), answer);

    String batch = "[{\"type\":\"update\",\"data\":{\"id\":3}}]";
    await(node.publishOk(Q, batch));
  }

  @Test
  void clientCausedFailuresAreOneWarningEachWithoutStackTraces() throws IOException {
    TestNode node = start(Configs.defaultNode().put("http", new JsonObject().put("host", TestNode.HOST).put("port", 0)
        .put("cors", new JsonObject().put("allowedOrigins", List.of("http://allowed.example")))));
    for (int i = 0; i < 20; i++) {
      for (String request : List.of(
          "GET /queues/%zz/poll HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
          "GET /poll HTTP/1.1\r\nConnection: close\r\n\r\n",
          "GET /poll HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n",
          "GET /poll?hmac=1:2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
        Socket socket = connect(node, "127.0.0.2");
        send(socket, request);
        String answer = readUntilClosed(socket);
        assertTrue(answer.startsWith("HTTP/1.1 4"), answer);
      }
    }
    assertEquals(List.of(), records.thrown(), "no stack trace for what a client caused");
    assertEquals(List.of(), records.atLeast(Level.SEVERE), "nothing SEVERE");
    long warnings = records.atLeast(Level.WARNING).stream().filter(line -> line.contains("127.0.0.2")).count();
    assertTrue(warnings >= 3 && warnings <= 8, "about one line per cause, got " + warnings + ": " + records.atLeast(Level.WARNING));
  }

  @Test
  void credentialsNeverReachTheLogEvenAtTrace() {
    TestNode node = start(Configs.defaultNode().put("log", new JsonObject().put("level", "TRACE")));
    atTheEnd(this::logAtInfoAgain);
    String secret = "1700000000:feedfacecafe";
    await(node.get(TestNode.pollPath(Q) + "?hmac=" + secret));
    await(node.get("/queues/%zz/poll?access_token=eyJ.secret.token"));
    List<String> lines = records.formatted();
    assertTrue(lines.stream().anyMatch(line -> line.contains("hmac=***")), "the URI is logged at TRACE, masked");
    assertTrue(lines.stream().noneMatch(line -> line.contains("feedfacecafe") || line.contains("secret.token")),
        () -> String.join("\n", lines));
  }

  /** The log level is the process's: the tests after this one run at INFO again. */
  private void logAtInfoAgain() {
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    for (Handler handler : root.getHandlers()) {
      handler.setLevel(Level.INFO);
    }
  }

  private final List<Runnable> atTheEnd = new ArrayList<>();

  private void atTheEnd(Runnable action) {
    atTheEnd.add(action);
  }

  /**
   * Every record logged by syncbus and Vert.x during the test, with its level and stack trace, and
   * as the node's own log would write it (through the root handlers' formatter, which redacts).
   */
  private static final class Records extends Handler implements AutoCloseable {
    private final List<LogRecord> logged = new ArrayList<>();
    private final List<Logger> loggers = List.of(Logger.getLogger("org.syncbus"), Logger.getLogger("io.vertx"));

    Records() {
      setLevel(Level.ALL);
      loggers.forEach(logger -> logger.addHandler(this));
    }

    @Override
    public synchronized void publish(LogRecord record) {
      logged.add(record);
    }

    synchronized List<String> thrown() {
      return logged.stream().filter(r -> r.getThrown() != null).map(r -> r.getLoggerName() + ": " + r.getThrown()).toList();
    }

    synchronized List<String> atLeast(Level level) {
      return logged.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
          .map(r -> nodeFormatter().formatMessage(r)).toList();
    }

    synchronized List<String> formatted() {
      Formatter formatter = nodeFormatter();
      return logged.stream().map(formatter::format).toList();
    }

    /** The formatter of the node's log, as the node set it up when it started. */
    private static Formatter nodeFormatter() {
      return Logger.getLogger("").getHandlers()[0].getFormatter();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      loggers.forEach(logger -> logger.removeHandler(this));
    }
  }
}
