package org.syncbus.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncbus.auth.TimeTokens;
import org.syncbus.contract.Protocol;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * How {@link SyncClient#sendUpdates} retries, one test per rule: against a stand-in node on
 * loopback that answers the first attempts as a failing node would, then 200; and once against a
 * real node.
 */
class PublishRetryTest extends IntegrationTest {
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":1}}]";
  /** Tokens as a node checks them, with the defaults' bounds (PROTOCOL.md). */
  private static final TimeTokens TOKENS = new TimeTokens(60, 5, Clock.systemUTC());

  private final List<SyncClient> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(client -> Await.await(client.close()));
  }

  /** How a failing node answers an attempt. */
  enum Failure {
    UNAVAILABLE(request -> request.response().setStatusCode(503).end("Queue not ready")),
    UNAVAILABLE_RETRY_NOW(request -> request.response().setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, "0").end("Server busy")),
    CONNECTION_CLOSED(request -> request.connection().close()),
    SILENT(request -> { });

    final Consumer<HttpServerRequest> answer;

    Failure(Consumer<HttpServerRequest> answer) {
      this.answer = answer;
    }
  }

  /** One attempt as the stand-in received it. */
  record Attempt(String key, String authorization, String data, String hmac, long arrivedNanos) {}

  /**
   * A node stand-in on loopback: attempt {@code n} of {@code /update} is answered by
   * {@code script[n]}, and 200 once the script is through.
   */
  private final class StandIn {
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final List<Consumer<HttpServerRequest>> script;
    private final AtomicInteger closedConnections = new AtomicInteger();
    private final List<Runnable> waiters = new CopyOnWriteArrayList<>();
    private HttpServer server;

    StandIn(List<Consumer<HttpServerRequest>> script) {
      this.script = script;
    }

    int start() {
      server = await(vertx.createHttpServer()
          .connectionHandler(connection -> connection.closeHandler(v -> changed(closedConnections::incrementAndGet)))
          .requestHandler(this::handle)
          .listen(0, TestNode.HOST));
      return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
      request.setExpectMultipart(true);
      request.end().onSuccess(v -> {
        MultiMap form = request.formAttributes();
        int index = attempts.size();
        changed(() -> attempts.add(new Attempt(request.getHeader(Protocol.IDEMPOTENCY_KEY),
            request.getHeader(HttpHeaders.AUTHORIZATION), form.get(Protocol.DATA), form.get(Protocol.HMAC), System.nanoTime())));
        if (index < script.size()) {
          script.get(index).accept(request);
        } else {
          request.response().end();
        }
      });
    }

    private void changed(Runnable change) {
      change.run();
      waiters.forEach(Runnable::run);
    }

    /** Completes once {@code count} attempts arrived. */
    Future<Void> attempts(int count) {
      return when(() -> attempts.size() >= count);
    }

    /** Completes once the stand-in saw {@code count} connections closed. */
    Future<Void> closedConnections(int count) {
      return when(() -> closedConnections.get() >= count);
    }

    private Future<Void> when(BooleanSupplier condition) {
      Promise<Void> reached = Promise.promise();
      Runnable check = () -> {
        if (condition.getAsBoolean()) {
          reached.tryComplete();
        }
      };
      waiters.add(check);
      check.run();
      return reached.future();
    }
  }

  private static List<Consumer<HttpServerRequest>> times(int count, Failure failure) {
    List<Consumer<HttpServerRequest>> script = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      script.add(failure.answer);
    }
    return script;
  }

  /** Options for a stand-in on {@code port}: retries a few milliseconds apart, so that tests are quick. */
  private static SyncClientOptions fastRetries(int port) {
    return new SyncClientOptions("http://" + TestNode.HOST + ":" + port)
        .setPublishSecret(Configs.PUBLISH_SECRET)
        .setRetryInitial(Duration.ofMillis(10))
        .setRetryMax(Duration.ofMillis(50))
        .setRequestTimeout(Duration.ofMillis(300));
  }

  private SyncClient client(SyncClientOptions options) {
    SyncClient client = SyncClient.create(vertx, options);
    clients.add(client);
    return client;
  }

  private static SyncException syncFailure(Future<?> publication) {
    return assertInstanceOf(SyncException.class, Await.awaitFailure(publication));
  }

  private static int attemptsNamedIn(SyncException error) {
    Matcher matcher = Pattern.compile("gave up after (\\d+) attempts? over [0-9.]+ s").matcher(error.getMessage());
    assertTrue(matcher.find(), "the message says how long it tried: " + error.getMessage());
    return Integer.parseInt(matcher.group(1));
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void transientFailureIsRetriedUnderTheSameKeyUntilApplied(Failure failure) {
    StandIn node = new StandIn(times(2, failure));
    SyncClient client = client(fastRetries(node.start()));

    await(client.sendUpdates(BATCH));

    assertEquals(3, node.attempts.size());
    assertEquals(1, node.attempts.stream().map(Attempt::key).distinct().count(), "one key: " + node.attempts);
    assertNotNull(node.attempts.get(0).key());
    for (Attempt attempt : node.attempts) {
      assertEquals(BATCH, attempt.data());
      assertTrue(TOKENS.valid(Configs.PUBLISH_SECRET, BATCH, attempt.hmac()), "each attempt is signed: " + attempt);
    }
    if (failure == Failure.SILENT) {
      await(node.closedConnections(2)); // the client closed each timed-out attempt's connection
    }
  }

  @Test
  void everyPublicationHasAFreshKey() {
    StandIn node = new StandIn(List.of());
    SyncClient client = client(fastRetries(node.start()));
    await(client.sendUpdates(BATCH));
    await(client.sendUpdates(BATCH));
    assertNotEquals(node.attempts.get(0).key(), node.attempts.get(1).key());
  }

  @Test
  void callersKeyIsSentOnEveryAttempt() {
    StandIn node = new StandIn(times(1, Failure.UNAVAILABLE));
    SyncClient client = client(fastRetries(node.start()));
    await(client.sendUpdates(BATCH, "nightly-import 2024-05-01 #3"));
    assertEquals(List.of("nightly-import 2024-05-01 #3", "nightly-import 2024-05-01 #3"),
        node.attempts.stream().map(Attempt::key).toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "caf\u00e9", "line\nbreak", "tab\there"})
  void keyOutsidePrintableAsciiFailsWithoutAnAttempt(String key) {
    StandIn node = new StandIn(List.of());
    SyncClient client = client(fastRetries(node.start()));
    assertInstanceOf(IllegalArgumentException.class, Await.awaitFailure(client.sendUpdates(BATCH, key)));
    assertInstanceOf(IllegalArgumentException.class, Await.awaitFailure(client.sendUpdates(BATCH, "k".repeat(129))));
    assertInstanceOf(IllegalArgumentException.class, Await.awaitFailure(client.sendUpdates(BATCH, null)));
    await(client.sendUpdates(BATCH, "k".repeat(128)));
    assertEquals(1, node.attempts.size(), "only the valid key was sent");
  }

  @Test
  void tokenIsResentAsIsOnEveryAttempt() {
    StandIn node = new StandIn(times(2, Failure.CONNECTION_CLOSED));
    SyncClient client = client(fastRetries(node.start()).setPublishSecret(null).setToken("header.claims.signature"));
    await(client.sendUpdates(BATCH));
    assertEquals(3, node.attempts.size());
    for (Attempt attempt : node.attempts) {
      assertEquals("Bearer header.claims.signature", attempt.authorization());
      assertNull(attempt.hmac(), "a JWT replaces the time token");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 413, 422, 507, 500})
  void refusalIsNotRetried(int status) {
    StandIn node = new StandIn(List.of(request -> request.response().setStatusCode(status)
        .putHeader(HttpHeaders.RETRY_AFTER, "0").end("refused with " + status)));
    SyncClient client = client(fastRetries(node.start()));
    SyncException refused = syncFailure(client.sendUpdates(BATCH));
    assertEquals(status, refused.status());
    assertEquals("refused with " + status, refused.getMessage());
    assertEquals(1, node.attempts.size());
  }

  @Test
  void retryAfterIsFollowedInsteadOfTheBackOff() {
    StandIn node = new StandIn(times(3, Failure.UNAVAILABLE_RETRY_NOW));
    // A back-off this long would outlast the test's wait: only Retry-After: 0 lets it finish.
    SyncClient client = client(fastRetries(node.start())
        .setRetryInitial(Duration.ofMinutes(1)).setRetryMax(Duration.ofMinutes(1)).setRetryFor(Duration.ofMinutes(5)));
    await(client.sendUpdates(BATCH));
    assertEquals(4, node.attempts.size());
  }

  @Test
  void retryAfterPastTheWindowFallsBackToTheBackOff() {
    StandIn node = new StandIn(List.of(request -> request.response().setStatusCode(503)
        .putHeader(HttpHeaders.RETRY_AFTER, "3600").end("Queue not ready")));
    SyncClient client = client(fastRetries(node.start()));
    await(client.sendUpdates(BATCH));
    assertEquals(2, node.attempts.size());
  }

  @ParameterizedTest
  @EnumSource(value = Failure.class, names = {"UNAVAILABLE", "SILENT"})
  void stillFailingWhenTheWindowCloses_failsWithTheLastErrorAndNoAttemptStartsLater(Failure failure) {
    StandIn node = new StandIn(times(1000, failure));
    Duration retryFor = Duration.ofMillis(700);
    SyncClient client = client(fastRetries(node.start()).setRetryFor(retryFor));

    long started = System.nanoTime();
    SyncException gaveUp = syncFailure(client.sendUpdates(BATCH));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertEquals(failure == Failure.UNAVAILABLE ? 503 : 0, gaveUp.status());
    assertTrue(gaveUp.getMessage().startsWith(failure == Failure.UNAVAILABLE ? "Queue not ready" : "no answer from"),
        gaveUp.getMessage());
    assertTrue(gaveUp.isTransient());
    int attempts = attemptsNamedIn(gaveUp);
    assertTrue(attempts >= 2, "it retried: " + gaveUp.getMessage());
    assertEquals(attempts, node.attempts.size());
    long lastStartMillis = (node.attempts.get(attempts - 1).arrivedNanos() - node.attempts.get(0).arrivedNanos()) / 1_000_000;
    assertTrue(lastStartMillis < retryFor.toMillis(), "the last attempt came " + lastStartMillis + " ms after the first");
    long bound = retryFor.toMillis() + fastRetries(0).requestTimeout().toMillis() + 2_000; // 2 s for a loaded machine
    assertTrue(tookMillis < bound, "gave up after " + tookMillis + " ms");
  }

  @Test
  void retryForZeroMakesASingleAttempt() {
    StandIn node = new StandIn(times(1, Failure.UNAVAILABLE));
    SyncClient client = client(fastRetries(node.start()).setRetryFor(Duration.ZERO));
    SyncException unavailable = syncFailure(client.sendUpdates(BATCH));
    assertEquals(503, unavailable.status());
    assertEquals("Queue not ready", unavailable.getMessage(), "the server's own message, as without retries");
    assertEquals(1, node.attempts.size());
  }

  @Test
  void closingTheClientEndsAPublicationWaitingToRetry() {
    StandIn node = new StandIn(times(1, Failure.UNAVAILABLE));
    SyncClient client = client(fastRetries(node.start()).setRetryInitial(Duration.ofMinutes(1)));
    Future<Void> publication = client.sendUpdates(BATCH);
    await(node.attempts(1));
    await(client.close());
    SyncException closed = syncFailure(publication);
    assertTrue(closed.getMessage().contains("closed while publishing, after 1 attempt"), closed.getMessage());
  }

  @Test
  void realNodeAppliesABatchOnceUnderItsKeyAndRefusesTheKeyForAnotherBatch() {
    TestNode node = start(Configs.defaultNode());
    SyncClient client = client(new SyncClientOptions("http://" + TestNode.HOST + ":" + node.port())
        .setPublishSecret(Configs.PUBLISH_SECRET));
    String batch = "[{\"type\":\"update\",\"data\":{\"id\":2}}]";
    await(client.sendUpdates(BATCH));
    await(client.sendUpdates(batch, "real-node-key"));
    await(client.sendUpdates(batch, "real-node-key"));
    JsonObject info = await(node.infoOk(Configs.DEFAULT));
    assertEquals(2, info.getLong(Protocol.SEQ), "the batch sent twice under one key was applied once: " + info);
    assertEquals(2, info.getInteger(Protocol.INFO_RECORDS), info.encode());

    SyncException conflict = syncFailure(client.sendUpdates(BATCH, "real-node-key"));
    assertEquals(422, conflict.status(), conflict.getMessage());
  }
}
