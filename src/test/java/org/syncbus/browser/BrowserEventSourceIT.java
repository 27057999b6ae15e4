package org.syncbus.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.TestNode;

/**
 * Server-sent events in a real Chromium (README, "Resume and server-sent events"): the example page
 * {@code examples/browser/events.html}, served from an origin listed in
 * {@code http.cors.allowedOrigins}, follows a queue with the browser's own {@code EventSource} and
 * keeps the queue's state through a lost connection (resumed with {@code Last-Event-ID}) and a
 * restart of the node (a snapshot with {@code "reset"}: the queue's initial backlog, in a new
 * epoch), never with a silent gap; a page of an origin not listed sees its stream refused.
 *
 * <p>The node is the packaged jar run as a real process, which the Node script
 * ({@code src/test/node/browser/events.test.mjs}) starts, stops with SIGTERM and starts again on
 * the same port; its output goes to {@code target/browser/events-node.log}.
 */
class BrowserEventSourceIT extends IntegrationTest {
  private static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  private static final String QUEUE = "rooms";
  private static final String PK = "id";
  private static final String JWT_SECRET = "browser-events-jwt-secret-0123456789";
  private static final String BACKLOG = "[{\"id\":\"lamp\",\"on\":true},{\"id\":\"door\",\"open\":false}]";

  @TempDir
  Path dir;

  @Test
  void aPageFollowsAQueueWithEventSourceThroughALostConnectionAndARestart() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is not built: run `mvn package` first (mvn verify does)");
    BrowserScript script = new BrowserScript();
    int port = BrowserScript.freePort();
    Path backlog = Files.writeString(dir.resolve("backlog.json"), BACKLOG);
    JsonObject config = Configs.node(new JsonObject().put(QUEUE,
        Configs.keyed(PK, new JsonObject().put("type", "file").put("path", backlog.toString()))));
    config.getJsonObject("http").put("port", port)
        .put("cors", new JsonObject().put("allowedOrigins", new JsonArray().add(script.pageOrigin())));
    config.put("auth", JwtTokens.auth(JWT_SECRET));
    Path file = Files.writeString(dir.resolve("syncbus.json"), config.encodePrettily());
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", JAR.toString(), "-conf", file.toString());

    Path nodeLog = BrowserScript.ARTIFACTS.resolve("events-node.log");
    Files.deleteIfExists(nodeLog);

    script.run("events.test.mjs", Map.of(
        "SYNCBUS_NODE_COMMAND", new JsonArray(command).encode(),
        // The port the node's environment may otherwise override (README, "Configuration").
        SyncbusConfig.ENV_HTTP_PORT, Integer.toString(port),
        "SYNCBUS_NODE_LOG", nodeLog.toString(),
        "SYNCBUS_HTTP", "http://" + TestNode.HOST + ":" + port,
        "SYNCBUS_QUEUE", QUEUE,
        "SYNCBUS_PK", PK,
        "SYNCBUS_TOKEN", JwtTokens.sign(vertx, JWT_SECRET, QUEUE, "publish", "subscribe")));
  }
}
