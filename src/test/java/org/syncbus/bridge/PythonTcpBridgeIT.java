package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.ExternalProcess;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * The README's Python examples (standard library only) publish and follow a queue over the TCP
 * bridge with a JWT, {@code examples/tcp_bridge.py} in every frame's headers and
 * {@code examples/tcp_bridge_auth.py} once, to {@code syncbus.auth}, then in no frame at all; an
 * HTTP {@code /poll} subscriber receives the batch each published.
 */
class PythonTcpBridgeIT extends IntegrationTest {
  private static final Path CLIENT = Path.of("examples", "tcp_bridge.py");
  private static final Path AUTH_CLIENT = Path.of("examples", "tcp_bridge_auth.py");
  private static final String QUEUE = Configs.DEFAULT;
  private static final String JWT_SECRET = "tcp-it-jwt-secret-0123456789abcdef";
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1,\"name\":\"ada\"}}]";

  @TempDir
  Path dir;

  @Test
  void pythonClientPublishesAndFollowsOverTheTcpBridgeAndHttpSubscribersGetTheBatch() throws Exception {
    publishesAndFollows(CLIENT, 2);
  }

  @Test
  void pythonClientAuthenticatedOnceSubscribesAndPublishesWithoutHeaders() throws Exception {
    String log = publishesAndFollows(AUTH_CLIENT, 3);
    JsonObject granted = new JsonObject(line(log.strip().lines().toList(), "granted: ", log));
    assertEquals(new JsonArray().add("publish").add("subscribe"), granted.getJsonObject("rights").getJsonArray(QUEUE), log);
  }

  /** Runs {@code client} against a node; checks its reply, its batch, and the HTTP subscriber's. */
  private String publishesAndFollows(Path client, int expectedLines) throws Exception {
    assertTrue(Files.isRegularFile(client), client + " exists");
    int bridgePort = freePort();
    JsonObject config = Configs.defaultNode();
    config.put("auth", JwtTokens.auth(JWT_SECRET));
    config.put("bridges", new JsonObject().put("tcp", new JsonObject()
        .put("enabled", true).put("host", TestNode.HOST).put("port", bridgePort)));
    TestNode node = start(config);
    PollStream poll = await(node.pollOk(QUEUE));
    assertEquals("[]", await(poll.line(0)), "the HTTP subscriber starts from the empty backlog");

    String token = JwtTokens.sign(vertx, JWT_SECRET, QUEUE, "publish", "subscribe");
    String log = ExternalProcess.run(
        List.of("python3", client.toString(), TestNode.HOST, String.valueOf(bridgePort), QUEUE, token),
        Map.of(), dir.resolve("python.log"));

    List<String> lines = log.strip().lines().toList();
    String epoch = await(node.infoOk(QUEUE)).getString("epoch");
    JsonObject reply = new JsonObject(line(lines, "reply: ", log));
    assertEquals(new JsonObject().put("epoch", epoch).put("seq", 1), reply, log);
    assertEquals(new JsonArray(BATCH), new JsonArray(line(lines, "batch 1: ", log)), log);
    assertEquals(expectedLines, lines.size(), "the reply and the batch, nothing else:\n" + log);

    assertEquals(new JsonArray(BATCH), new JsonArray(await(poll.line(1))),
        "the HTTP subscriber receives the batch published through the TCP bridge");
    return log;
  }

  private static String line(List<String> lines, String prefix, String log) {
    return lines.stream().filter(line -> line.startsWith(prefix)).findFirst()
        .map(line -> line.substring(prefix.length()))
        .orElseThrow(() -> new AssertionError("no line starting with \"" + prefix + "\" in:\n" + log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
