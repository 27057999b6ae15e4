package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.syncbus.Node;
import org.syncbus.SyncbusVerticle;

/**
 * The blocked-loop check of every Vert.x a test starts, a single node's or each member's of a
 * cluster: its blocked-thread checker reports any event loop that runs longer than
 * {@link #MAX_EVENT_LOOP_MILLIS} (syncbus must never block one), and {@link #assertNoneBlocked()}
 * fails the test naming the thread, the time and, for the first, where it was.
 *
 * <p>The limit is low, so a cold JVM's first requests (class loading, JIT) must not count against
 * it: {@link #warmUpOnce()} pays for them on a Vert.x with the default limit, once per JVM.
 */
public final class EventLoopCheck {
  /**
   * Far below Vert.x's 2 s default, so a blocking call (file or socket I/O, a sleep, a lock) fails the
   * test; above what class loading and JIT on a cold, loaded 2-core machine cost a first request.
   */
  public static final long MAX_EVENT_LOOP_MILLIS = 1000;

  private static final Logger LOG = Logger.getLogger(EventLoopCheck.class.getName());
  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  private final List<String> blocked = Collections.synchronizedList(new ArrayList<>());

  /** Options with the low limit and a frequent check; callers may add to them. */
  public static VertxOptions options() {
    return new VertxOptions()
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
  }

  /** Reports to this check every thread of {@code vertx} (built with {@link #options()}) that blocks. */
  public Vertx watch(Vertx vertx) {
    return watch(vertx, "");
  }

  /**
   * As {@link #watch(Vertx)}, naming {@code vertx} as {@code name} in reports: the threads of
   * several Vert.x instances (a cluster's members) have the same names.
   */
  public Vertx watch(Vertx vertx, String name) {
    String prefix = name.isEmpty() ? "" : name + ": ";
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(event -> {
      String what = prefix + event.thread().getName() + " blocked for " + event.duration() / 1_000_000
          + " ms (limit " + event.maxExecTime() / 1_000_000 + " ms)";
      StringBuilder where = new StringBuilder(what);
      StackTraceElement[] stack = event.thread().getStackTrace();
      for (int i = 0; i < Math.min(12, stack.length); i++) {
        where.append("\n\tat ").append(stack[i]);
      }
      LOG.warning(where.toString());
      blocked.add(blocked.isEmpty() ? where.toString() : what);
    });
    return vertx;
  }

  /** Fails if any watched thread blocked since the last check; the next check starts afresh. */
  public void assertNoneBlocked() {
    List<String> seen;
    synchronized (blocked) {
      seen = List.copyOf(blocked);
      blocked.clear();
    }
    assertEquals(List.of(), seen, "event loops were blocked");
  }

  /**
   * Once per JVM, before the first test: the first uses of Vert.x, vertx-web and Jackson load and
   * compile classes for several hundred milliseconds on an event loop. That is paid here, on a
   * Vert.x with the default limit, so that the tests' low limit catches blocking, not a cold JVM.
   */
  public static void warmUpOnce() {
    if (!WARMED_UP.compareAndSet(false, true)) {
      return;
    }
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
}
