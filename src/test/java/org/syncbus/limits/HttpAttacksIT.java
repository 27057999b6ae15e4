package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
import org.syncbus.limits.RawConnections.RawConnection;
import org.syncbus.limits.RawConnections.Response;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * Attacks on the HTTP edge (README, "Configuration", {@code limits.*} and
 * {@code http.idleTimeoutSeconds}) against the packaged jar run as a real process on a small heap
 * ({@code -Xmx256m}, without {@code -XX:+ExitOnOutOfMemoryError}, so that running out of memory
 * would show as the process dying or {@code /health} failing), with timeouts short enough for a
 * test run.
 *
 * <p>Normal clients on 127.0.0.1 run throughout ({@link NormalClients}): a publisher, a
 * subscriber and a {@code /health} prober. Attackers connect from other loopback addresses, one
 * range per attack (127.0.1.x for attack a, 127.0.2.x for b, …). Each attack is one test, bounded
 * in connections and time; after each ({@link #theNodeSurvivedAndLetGo()}) the node must be alive
 * with no {@code OutOfMemoryError} and no stack trace in its output, its {@code /health} must have
 * answered 200 within {@value NormalClients#PROBE_TIMEOUT_MILLIS} ms all along, its heap after a
 * full collection must be under {@link AttackRun#HEAP_AFTER_GC_BOUND_BYTES}, and its descriptors must come
 * back within {@value AttackRun#DESCRIPTOR_MARGIN} of the count before the attacks. The last test checks
 * that the subscriber received every batch acknowledged during them. The figures of each attack
 * (heap, descriptors, the publisher's p99, {@code /health}'s worst latency) are printed.
 *
 * <p>The tests share one node and run in order; skipped when {@code target/syncbus.jar} is not
 * built. Every process and connection is closed in a {@code finally}; every wait is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpAttacksIT {
  /** {@code limits.bufferedBodyBytes} left automatic: a quarter of the heap ({@value JarProcess#NODE_HEAP}). */
  private static final long BODY_BUDGET_BYTES = 256L * 1024 * 1024 / 4;
  private static final int MAX_CONNECTIONS = 600;
  private static final long HEADER_TIMEOUT_SECONDS = 2;
  private static final long IDLE_TIMEOUT_SECONDS = 3;
  private static final long MIN_BODY_BYTES_PER_SECOND = 4096;
  /** The window over which a body's pace is measured (README, {@code limits.minBodyBytesPerSecond}). */
  private static final long BODY_WINDOW_SECONDS = 3;
  /** The node checks its connections' deadlines once a second. */
  private static final long SWEEP_SECONDS = 1;
  /** What a loaded 2-core machine may add to a deadline. */
  private static final long LATE_MILLIS = 2_000;
  /** A refusal sooner than this after the request was sent is "at once". */
  private static final long AT_ONCE_MILLIS = 1_000;
  private static final String ALLOWED_ORIGIN = "http://allowed.example";


  private static final int STALLED_UPLOADS = 30;
  private static final long DECLARED_BODY_BYTES = 16_700_000;
  /** Sent before stalling: less than a body window's worth at the minimum pace. */
  private static final int SENT_BODY_BYTES = 4096;
  private static final int SLOWLORIS = 300;
  private static final int IDLE_CONNECTIONS = 1_000;
  private static final int REFUSED_EACH = 200;
  private static final int REFUSED_IN_FLIGHT = 100;
  /** Fits the body budget when nothing holds it; not what is left while the stalled uploads hold their claims. */
  private static final int BUDGET_PROBE_BYTES = 8_000_000;

  /** Static: JUnit injects instance fields after the class's {@code @BeforeAll}, even per class. */
  @TempDir
  static Path dir;

  private final AttackRun run = new AttackRun("HttpAttacksIT");
  private Vertx vertx;
  private JarProcess node;
  private int port;
  private NormalClients clients;


  @BeforeAll
  void startTheNodeAndItsNormalClients() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "target/syncbus.jar is not built");
    vertx = Vertx.vertx();
    port = JarProcess.freePort();
    JsonObject config = config(port);
    node = JarProcess.node(vertx, dir, config, port);
    clients = new NormalClients(vertx, port, config);
    clients.start();
    run.started(vertx, node, clients);
  }

  private static JsonObject config(int port) {
    return new JsonObject()
        .put("http", new JsonObject()
            .put("host", TestNode.HOST)
            .put("port", port)
            .put("idleTimeoutSeconds", IDLE_TIMEOUT_SECONDS)
            .put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add(ALLOWED_ORIGIN))))
        .put("limits", new JsonObject()
            .put("maxConnections", MAX_CONNECTIONS)
            .put("headerTimeoutSeconds", HEADER_TIMEOUT_SECONDS)
            .put("minBodyBytesPerSecond", MIN_BODY_BYTES_PER_SECOND))
        .put("queues", new JsonObject().put(Configs.DEFAULT, Configs.keyed("id")));
  }

  @AfterAll
  void stopEverything() throws Exception {
    try {
      if (clients != null) {
        clients.stop();
        Await.await(clients.close());
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
    run.summary();
  }

  @BeforeEach
  void beginAttack() {
    run.begin();
  }

  /**
   * After every attack: the node is alive, printed no OutOfMemoryError nor stack trace, answered
   * every /health probe in time, gave its descriptors back and holds little heap. Figures are
   * printed before anything is asserted.
   */
  @AfterEach
  void theNodeSurvivedAndLetGo() throws Exception {
    run.assertSurvived();
  }

  @Test
  @Order(1)
  void stalledUploadsBeyondTheBodyBudgetGet503AtOnceAndTheOthers408AfterTheBodyWindow() throws Exception {
    run.attack("a. " + STALLED_UPLOADS + " uploads declaring " + DECLARED_BODY_BYTES + " bytes, stalled after "
        + SENT_BODY_BYTES);
    String upload = "POST " + TestNode.updatePath(Configs.DEFAULT) + " HTTP/1.1\r\n"
        + "Host: " + TestNode.HOST + ":" + port + "\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + DECLARED_BODY_BYTES + "\r\n\r\n"
        + "data=" + "x".repeat(SENT_BODY_BYTES - "data=".length());
    try (RawConnections attackers = new RawConnections("stalled-uploads")) {
      List<RawConnection> uploads = new ArrayList<>();
      for (int i = 0; i < STALLED_UPLOADS; i++) {
        RawConnection connection = attackers.open(RawConnections.source(1, i), port);
        assertTrue(connection.send(upload), "upload " + i + " was closed before its first bytes");
        uploads.add(connection);
      }
      run.sampleDescriptors();
      List<Response> responses = awaitAll(attackers, "responses to the stalled uploads",
          uploads.stream().map(RawConnection::response).toList());
      run.sampleDescriptors();

      List<Long> busy = afterMillis(responses, 503);
      List<Long> slow = afterMillis(responses, 408);
      run.report(run.attack() + ": " + busy.size() + " answered 503 after " + range(busy) + " ms, " + slow.size()
          + " answered 408 after " + range(slow) + " ms");
      assertEquals(STALLED_UPLOADS, busy.size() + slow.size(), () -> "statuses: " + responses);
      long fit = BODY_BUDGET_BYTES / DECLARED_BODY_BYTES;
      assertTrue(!slow.isEmpty() && slow.size() <= fit, () -> slow.size() + " uploads admitted; the budget of "
          + BODY_BUDGET_BYTES + " bytes holds " + fit + " of them");
      assertTrue(busy.stream().allMatch(millis -> millis < AT_ONCE_MILLIS), () -> "503 after " + busy + " ms");
      long window = BODY_WINDOW_SECONDS * 1000;
      long latest = window + SWEEP_SECONDS * 1000 + LATE_MILLIS;
      assertTrue(slow.stream().allMatch(millis -> millis >= window - 50 && millis <= latest),
          () -> "408 after " + slow + " ms; expected from " + window + " to " + latest);
      awaitAll(attackers, "the node closing the uploads' connections",
          uploads.stream().map(RawConnection::closed).toList());
    }
    assertBudgetGivenBack(RawConnections.source(1, STALLED_UPLOADS));
  }

  /**
   * A body of {@value #BUDGET_PROBE_BYTES} bytes with a wrong token is read (403) rather than
   * refused for want of room (503): the bodies refused before gave their claims back.
   */
  private void assertBudgetGivenBack(String source) throws IOException {
    int status = RawConnections.updateWithWrongToken(source, port, BUDGET_PROBE_BYTES);
    run.report(run.attack() + ": a " + BUDGET_PROBE_BYTES + "-byte body afterwards answered " + status);
    assertEquals(403, status, () -> "a " + BUDGET_PROBE_BYTES + "-byte body with a wrong token after " + run.attack()
        + " answered " + status + ", not 403: the refused bodies' claims on limits.bufferedBodyBytes were not given"
        + " back (a 503 says so in the node's log)");
  }

  @Test
  @Order(2)
  void slowlorisConnectionsAreClosedByTheHeaderTimeout() throws Exception {
    run.attack("b. " + SLOWLORIS + " slowloris connections, one header byte a second");
    byte[] headers = ("GET /__ping HTTP/1.1\r\nHost: " + TestNode.HOST + "\r\nX-Slow: " + "x".repeat(64))
        .getBytes(StandardCharsets.ISO_8859_1);
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (RawConnections attackers = new RawConnections("slowloris")) {
      List<RawConnection> connections = new ArrayList<>();
      for (int i = 0; i < SLOWLORIS; i++) {
        RawConnection connection = attackers.open(RawConnections.source(2, i), port);
        connection.send(new byte[] {headers[0]});
        connections.add(connection);
      }
      AtomicInteger next = new AtomicInteger(1);
      trickle.scheduleAtFixedRate(() -> {
        int index = next.getAndIncrement();
        if (index < headers.length) {
          connections.stream().filter(c -> !c.closed().isDone()).forEach(c -> c.send(new byte[] {headers[index]}));
        }
      }, 1, 1, TimeUnit.SECONDS);
      run.sampleDescriptors();
      List<Long> closedAfter = awaitAll(attackers, "the node closing the slowloris connections",
          connections.stream().map(RawConnection::closed).toList());
      run.report(run.attack() + ": all closed after " + range(closedAfter) + " ms, " + (next.get() - 1)
          + " header bytes sent at most");

      long timeout = HEADER_TIMEOUT_SECONDS * 1000;
      long latest = timeout + SWEEP_SECONDS * 1000 + LATE_MILLIS;
      assertTrue(closedAfter.stream().allMatch(millis -> millis >= timeout - 50 && millis <= latest),
          () -> "closed after " + closedAfter + " ms; expected from " + timeout + " to " + latest);
      assertTrue(connections.stream().allMatch(c -> c.receivedBytes() == 0), "a slowloris connection got an answer");
    } finally {
      trickle.shutdownNow();
      trickle.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void idleConnectionsBeyondMaxConnectionsAreClosedAtOnceAndTheOthersByTheHeaderTimeout() throws Exception {
    run.attack("c. " + IDLE_CONNECTIONS + " connections that never send, limits.maxConnections " + MAX_CONNECTIONS);
    int linesBefore = clients.subscriberLines();
    try (RawConnections attackers = new RawConnections("idle")) {
      long start = System.nanoTime();
      List<RawConnection> connections = new ArrayList<>();
      for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        connections.add(attackers.open(RawConnections.source(3, i), port));
      }
      long openingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      run.sampleDescriptors();
      List<Long> closedAfter = awaitAll(attackers, "the node closing the idle connections",
          connections.stream().map(RawConnection::closed).toList());

      long timeout = HEADER_TIMEOUT_SECONDS * 1000;
      List<Long> atOnce = closedAfter.stream().filter(millis -> millis < timeout).toList();
      List<Long> timedOut = closedAfter.stream().filter(millis -> millis >= timeout).toList();
      run.report(run.attack() + ": opened in " + openingMillis + " ms; " + atOnce.size() + " closed at once (after "
          + range(atOnce) + " ms), " + timedOut.size() + " by the header timeout (after " + range(timedOut)
          + " ms); the subscriber received " + (clients.subscriberLines() - linesBefore) + " lines meanwhile");

      assertTrue(openingMillis < timeout, () -> "opening took " + openingMillis
          + " ms: admitted connections expired before the last was opened, so the counts prove nothing");
      assertTrue(atOnce.size() >= IDLE_CONNECTIONS - MAX_CONNECTIONS, () -> "only " + atOnce.size()
          + " closed at once; at least " + (IDLE_CONNECTIONS - MAX_CONNECTIONS) + " were beyond the limit");
      assertTrue(atOnce.stream().allMatch(millis -> millis < AT_ONCE_MILLIS), () -> "closed at once after " + atOnce);
      long latest = timeout + SWEEP_SECONDS * 1000 + LATE_MILLIS;
      assertTrue(timedOut.stream().allMatch(millis -> millis <= latest), () -> "closed after " + timedOut
          + " ms; expected by " + latest);
      assertTrue(clients.subscriberLines() > linesBefore, "the subscriber received nothing while the node was full");
      NormalClients.Window window = clients.between(run.attackStart(), System.nanoTime());
      assertEquals(0, window.refusedPublishes(), () -> "the publisher, admitted before, was refused while the node"
          + " was full: " + window.publishes());
    }
  }

  /** A request the node refuses, and how. */
  private record Refused(String cause, String request, int status) {}

  @Test
  @Order(4)
  void refusedRequestsLogNoStackTraceAndAtMostOneLineASecondPerCause() throws Exception {
    run.attack("d. " + REFUSED_EACH + " each of a bad escape, no Host, an unlisted Origin, a wrong token");
    String host = "Host: " + TestNode.HOST + ":" + port + "\r\n";
    String close = "Connection: close\r\n\r\n";
    List<Refused> kinds = List.of(
        new Refused("HTTP 400", "GET /queues/%zz/poll HTTP/1.1\r\n" + host + close, 400),
        new Refused("HTTP 400", "GET /__ping HTTP/1.1\r\n" + close, 400),
        new Refused("HTTP 403", "GET /__ping HTTP/1.1\r\n" + host + "Origin: http://elsewhere.example\r\n" + close,
            403),
        new Refused("INVALID_TOKEN", "GET " + TestNode.pollPath(Configs.DEFAULT)
            + Tokens.pollQuery(Tokens.poll("not-the-subscribe-secret")) + " HTTP/1.1\r\n" + host + close, 403));
    int logFrom = node.stderr().length();
    long start = System.nanoTime();
    Map<Integer, Integer> statuses = new LinkedHashMap<>();
    try (RawConnections attackers = new RawConnections("refused")) {
      int sent = 0;
      while (sent < REFUSED_EACH * kinds.size()) {
        List<RawConnection> inFlight = new ArrayList<>();
        List<Refused> asked = new ArrayList<>();
        for (int i = 0; i < REFUSED_IN_FLIGHT && sent < REFUSED_EACH * kinds.size(); i++, sent++) {
          Refused kind = kinds.get(sent % kinds.size());
          RawConnection connection = attackers.open(RawConnections.source(4, sent), port);
          connection.send(kind.request());
          inFlight.add(connection);
          asked.add(kind);
        }
        if (sent == REFUSED_IN_FLIGHT) {
          run.sampleDescriptors();
        }
        List<Response> responses = awaitAll(attackers, "responses to refused requests",
            inFlight.stream().map(RawConnection::response).toList());
        for (int i = 0; i < responses.size(); i++) {
          Refused kind = asked.get(i);
          statuses.merge(responses.get(i).status(), 1, Integer::sum);
          assertEquals(kind.status(), responses.get(i).status(), () -> "status of " + kind.request().lines().findFirst()
              .orElse("") + " (" + kind.cause() + ")");
        }
      }
    }
    long seconds = Math.max(1, (long) Math.ceil((System.nanoTime() - start) / 1e9));
    String log = node.stderr().substring(logFrom);
    Map<String, Long> linesPerCause = log.lines()
        .filter(line -> line.contains(" WARNING org.syncbus.clients: "))
        .collect(Collectors.groupingBy(HttpAttacksIT::cause, LinkedHashMap::new, Collectors.counting()));
    // One line a second per cause, and one more a second saying how many were left out.
    long bound = 2 * (seconds + 1);
    run.report(run.attack() + ": statuses " + statuses + " in " + seconds + " s; WARN lines per cause " + linesPerCause
        + " (bound " + bound + " each)");

    assertNull(JarProcess.firstStackTrace(log), () -> "a stack trace in the log:\n" + AttackRun.tail(log));
    for (Refused kind : kinds) {
      long lines = linesPerCause.getOrDefault(kind.cause(), 0L);
      assertTrue(lines >= 1 && lines <= bound, () -> lines + " WARN lines for " + kind.cause() + " in " + seconds
          + " s:\n" + AttackRun.tail(log));
    }
  }

  /** The throttled cause of a client warning: the refusal's own line, or the count of lines left out. */
  private static String cause(String line) {
    if (line.contains("refused 400 to") || line.contains("HTTP 400:")) {
      return "HTTP 400";
    }
    if (line.contains("refused 403 to") || line.contains("HTTP 403:")) {
      return "HTTP 403";
    }
    if (line.contains("Invalid token") || line.contains("INVALID_TOKEN:")) {
      return "INVALID_TOKEN";
    }
    return "other";
  }

  @Test
  @Order(5)
  void theSubscriberReceivedEveryBatchAcknowledgedDuringTheAttacks() {
    run.attack("e. after the attacks");
    List<Integer> acknowledged = clients.acknowledgedIds();
    assertFalse(acknowledged.isEmpty(), "no batch was acknowledged");
    List<Integer> received = clients.receivedIds(acknowledged.get(acknowledged.size() - 1));
    Set<Integer> wanted = new HashSet<>(acknowledged);
    run.report(run.attack() + ": " + acknowledged.size() + " batches acknowledged, " + received.size() + " received");
    assertEquals(acknowledged, received.stream().filter(wanted::contains).toList(),
        "the acknowledged batches as the subscriber received them (each once, in order)");
  }

  /** The results of {@code futures}, waiting for all of them (bounded); fails naming how many came. */
  private static <T> List<T> awaitAll(RawConnections attackers, String what, List<CompletableFuture<T>> futures)
      throws InterruptedException, ExecutionException {
    long bound = Await.TIMEOUT.toMillis();
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(bound, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      attackers.assertReading();
      long done = futures.stream().filter(CompletableFuture::isDone).count();
      throw new AssertionError(what + ": " + done + " of " + futures.size() + " within " + bound + " ms", e);
    }
    return futures.stream().map(CompletableFuture::join).toList();
  }

  private static List<Long> afterMillis(List<Response> responses, int status) {
    return responses.stream().filter(response -> response.status() == status).map(Response::afterMillis).toList();
  }

  private static String range(List<Long> millis) {
    return millis.isEmpty() ? "-" : millis.stream().mapToLong(Long::longValue).min().getAsLong() + "–"
        + millis.stream().mapToLong(Long::longValue).max().getAsLong();
  }
}
