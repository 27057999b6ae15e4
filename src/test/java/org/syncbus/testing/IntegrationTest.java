package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.syncbus.Node;
import org.syncbus.SyncbusVerticle;

/**
 * The life of one integration test: a fresh Vert.x whose blocked-thread checker fails the test when
 * any event loop runs longer than {@link #MAX_EVENT_LOOP_MILLIS} (syncbus must never block one),
 * syncbus nodes deployed on it listening on loopback port 0, and at the end a leak check: every
 * stream the test opened is closed and every queue must count no subscriber, before Vert.x is
 * closed.
 *
 * <p>Tests run on the JUnit thread and wait on futures with {@link Await}: bounded, never asleep.
 */
public abstract class IntegrationTest {
  /**
   * Far below Vert.x's 2 s default, so a blocking call (file or socket I/O, a sleep, a lock) fails the
   * test; above what class loading and JIT on a cold, loaded 2-core machine cost a first request.
   */
  public static final long MAX_EVENT_LOOP_MILLIS = 1000;

  private static final Logger LOG = Logger.getLogger(IntegrationTest.class.getName());
  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  protected Vertx vertx;
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<String> blocked = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  final void startVertx() {
    if (WARMED_UP.compareAndSet(false, true)) {
      warmUp();
    }
    vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      String what = event.thread().getName() + " blocked for " + event.duration() / 1_000_000
          + " ms (limit " + event.maxExecTime() / 1_000_000 + " ms)";
      StringBuilder where = new StringBuilder(what);
      StackTraceElement[] stack = event.thread().getStackTrace();
      for (int i = 0; i < Math.min(12, stack.length); i++) {
        where.append("\n\tat ").append(stack[i]);
      }
      LOG.warning(where.toString());
      blocked.add(blocked.isEmpty() ? where.toString() : what);
    });
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
    assertEquals(List.of(), List.copyOf(blocked), "event loops were blocked");
  }

  /**
   * Once per JVM, before the first test: the first uses of Vert.x, vertx-web and Jackson load and
   * compile classes for several hundred milliseconds on an event loop. That is paid here, on a
   * Vert.x with the default limit, so that the tests' low limit catches blocking, not a cold JVM.
   */
  private static void warmUp() {
    Vertx cold = Vertx.vertx();
    try {
      JsonObject config = Configs.defaultNode();
      Await.await(cold.deployVerticle(new SyncbusVerticle(), new DeploymentOptions().setConfig(config.copy())));
      TestNode node = new TestNode(cold, Node.of(cold).httpPort(), config);
      Await.await(node.awaitReady());
      PollStream poll = Await.await(node.pollOk(Configs.DEFAULT));
      String big = "[{\"type\":\"update\",\"data\":{\"id\":1,\"blob\":\"" + "x".repeat(1 << 20) + "\"}}]";
      for (int i = 0; i < 5; i++) {
        Await.await(node.publishOk(Configs.DEFAULT, big));
        Await.await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"delete\",\"data\":{\"id\":1}}]"));
      }
      Await.await(poll.line(10));
      Await.await(node.infoOk(Configs.DEFAULT));
      Await.await(node.closeAndCheckNoSubscribers());
    } finally {
      Await.await(cold.close());
    }
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

  private TestNode deploy(SyncbusVerticle verticle, JsonObject config) {
    Await.await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config.copy())));
    TestNode node = new TestNode(vertx, verticle.node().httpPort(), config);
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
    Await.await(vertx.deployVerticle(new SyncbusVerticle(clock), new DeploymentOptions()
        .setConfig(new JsonObject().put(SyncbusVerticle.CONFIG_FILE, file.toString()))));
    TestNode node = new TestNode(vertx, Node.of(vertx).httpPort(), config);
    nodes.add(node);
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
