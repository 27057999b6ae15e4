package org.syncbus.testing;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.syncbus.SyncbusVerticle;

/**
 * The life of one integration test: a fresh Vert.x whose blocked-thread checker fails the test when
 * any event loop runs longer than {@link #MAX_EVENT_LOOP_MILLIS} (syncbus must never block one; see
 * {@link EventLoopCheck}), syncbus nodes deployed on it listening on loopback port 0, and at the end
 * a leak check: every stream the test opened is closed and every queue must count no subscriber,
 * before Vert.x is closed.
 *
 * <p>Tests run on the JUnit thread and wait on futures with {@link Await}: bounded, never asleep.
 */
public abstract class IntegrationTest {
  /** The limit of {@link EventLoopCheck}: an event loop busy for longer fails the test. */
  public static final long MAX_EVENT_LOOP_MILLIS = EventLoopCheck.MAX_EVENT_LOOP_MILLIS;

  protected Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final EventLoopCheck loops = new EventLoopCheck();

  @BeforeEach
  final void startVertx() {
    EventLoopCheck.warmUpOnce();
    vertx = loops.watch(Vertx.vertx(EventLoopCheck.options()));
  }

  @AfterEach
  final void checkNothingLeakedAndCloseVertx() throws Exception {
    try {
      for (TestNode node : nodes) {
        Await.await(node.closeAndCheckNoSubscribers());
      }
    } finally {
      for (AutoCloseable closeable : closeables) {
        closeable.close();
      }
      Await.await(vertx.close());
    }
    loops.assertNoneBlocked();
  }

  /** Starts a node with {@code config} and waits until every queue is ready. */
  protected TestNode start(JsonObject config) {
    TestNode node = startWithoutWaiting(config);
    Await.await(node.awaitReady());
    return node;
  }

  /** Starts a node with {@code config} whose time comes from {@code clock}; waits until every queue is ready. */
  protected TestNode start(JsonObject config, Clock clock) {
    TestNode node = deploy(new SyncbusVerticle(clock), config);
    Await.await(node.awaitReady());
    return node;
  }

  /** Starts a node with {@code config}; its queues may still be loading their backlog. */
  protected TestNode startWithoutWaiting(JsonObject config) {
    return deploy(new SyncbusVerticle(), config);
  }

  /**
   * Starts a node with {@code config}, seen through clients made from {@code clientOptions} (TLS);
   * waits until every queue is ready.
   */
  protected TestNode start(JsonObject config, HttpClientOptions clientOptions) {
    SyncbusVerticle verticle = new SyncbusVerticle();
    Await.await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.copy())));
    TestNode node = track(new TestNode(vertx, vertx, verticle.node().httpPort(), config, clientOptions));
    Await.await(node.awaitReady());
    return node;
  }

  private TestNode deploy(SyncbusVerticle verticle, JsonObject config) {
    Await.await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.copy())));
    return track(new TestNode(vertx, verticle.node().httpPort(), config));
  }

  /**
   * Covers a node running elsewhere (a member of a {@link TestCluster}, seen through a client of
   * this test's Vert.x) by the leak check at the test's end, as the nodes this test started are.
   */
  protected TestNode track(TestNode node) {
    nodes.add(node);
    return node;
  }

  /**
   * Starts a node that reads {@code config} from {@code file} (written here) and watches it, as
   * {@code -conf FILE} does; waits until every queue is ready.
   */
  protected TestNode startFromFile(JsonObject config, java.nio.file.Path file) {
    return startFromFile(config, file, Clock.systemUTC());
  }

  /** {@link #startFromFile(JsonObject, java.nio.file.Path)} with time from {@code clock}. */
  protected TestNode startFromFile(JsonObject config, java.nio.file.Path file, Clock clock) {
    try {
      java.nio.file.Files.writeString(file, config.encodePrettily());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    SyncbusVerticle verticle = new SyncbusVerticle(clock);
    Await.await(vertx.deployVerticle(verticle, new DeploymentOptions()
        .setConfig(new JsonObject().put(SyncbusVerticle.CONFIG_FILE, file.toString()))));
    TestNode node = track(new TestNode(vertx, verticle.node().httpPort(), config));
    Await.await(node.awaitReady());
    return node;
  }

  /** Closed after the leak check, before Vert.x. */
  protected <T extends AutoCloseable> T closeAfter(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  protected static <T> T await(Future<T> future) {
    return Await.await(future);
  }

  protected static <T> T await(Future<T> future, Duration timeout) {
    return Await.await(future, timeout);
  }
}
