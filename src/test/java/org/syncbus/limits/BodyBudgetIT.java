package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.limits.RawConnections.RawConnection;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.TestNode;

/**
 * {@code limits.bufferedBodyBytes} is a budget that every {@code /update} body claims before it is
 * read and gives back when its request ends, however it ends (README, "Configuration"). A body
 * refused on the way, too slow (408) or too large (413), must give its claim back too: else a few
 * such requests, from anyone, leave no room for any publisher, and every later {@code POST} is
 * answered 503 {@code Server busy} for as long as the node runs.
 *
 * <p>Each test runs its own node (the jar, a real process) with a small budget: a probe body that
 * fits it only when nothing is held, signed with a wrong token, is read and refused 403 before the
 * refused body, and must be again after it (a 503 means the claim was kept). Skipped when
 * {@code target/syncbus.jar} is not built.
 */
class BodyBudgetIT {
  private static final long MAX_BODY_BYTES = 1_000_000;
  private static final long BUDGET_BYTES = 1_500_000;
  /** Fits the budget when nothing holds it, not while a refused body's claim ({@link #MAX_BODY_BYTES}) is held. */
  private static final int PROBE_BYTES = 900_000;
  private static final int STALLED_AFTER_BYTES = 1024;

  @TempDir
  Path dir;

  private Vertx vertx;
  private JarProcess node;
  private int port;

  @BeforeEach
  void startANodeWithASmallBodyBudget() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "target/syncbus.jar is not built");
    vertx = Vertx.vertx();
    port = JarProcess.freePort();
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("http").put("port", port).put("maxBodyBytes", MAX_BODY_BYTES);
    config.put("limits", new JsonObject().put("bufferedBodyBytes", BUDGET_BYTES));
    node = JarProcess.node(vertx, dir, config, port);
  }

  @AfterEach
  void stopTheNode() throws Exception {
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

  @Test
  void aBodyAnswered408AsTooSlowGivesItsClaimBack() throws Exception {
    assertEquals(403, probe(), "the probe before anything was refused");
    try (RawConnections attacker = new RawConnections("stalled-upload")) {
      RawConnection upload = attacker.open(RawConnections.source(6, 1), port);
      upload.send("POST " + TestNode.updatePath(Configs.DEFAULT) + " HTTP/1.1\r\nHost: " + TestNode.HOST + ":" + port
          + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + MAX_BODY_BYTES + "\r\n\r\n"
          + "data=" + "x".repeat(STALLED_AFTER_BYTES));
      CompletableFuture<RawConnections.Response> response = upload.response();
      assertEquals(408, response.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).status(), "the stalled upload");
    }

    assertEquals(403, probe(), () -> "the probe after a 408 (503: the too slow body kept its claim); log:\n"
        + node.stderr());
  }

  @Test
  void aChunkedBodyAnswered413AsTooLargeGivesItsClaimBack() throws Exception {
    assertEquals(403, probe(), "the probe before anything was refused");
    byte[] body = ("data=" + "x".repeat((int) MAX_BODY_BYTES)).getBytes(StandardCharsets.ISO_8859_1);
    int status = RawConnections.exchange(RawConnections.source(6, 2), port, "POST "
        + TestNode.updatePath(Configs.DEFAULT) + " HTTP/1.1\r\nHost: " + TestNode.HOST + ":" + port
        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n", body, true);
    assertEquals(413, status, "a chunked body over http.maxBodyBytes");

    assertEquals(403, probe(), () -> "the probe after a 413 (503: the too large body kept its claim); log:\n"
        + node.stderr());
  }

  /** The status of a {@value #PROBE_BYTES}-byte body with a wrong token: 403 once read, 503 with no room for it. */
  private int probe() throws Exception {
    return RawConnections.updateWithWrongToken(RawConnections.source(6, 250), port, PROBE_BYTES);
  }
}
