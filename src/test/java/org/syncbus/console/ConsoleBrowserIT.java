package org.syncbus.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.NodeScript;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * The console in a real browser: {@code src/test/node/console/console.test.mjs} drives Debian's
 * Chromium (headless, {@code --no-sandbox}) with puppeteer-core against a node holding a few
 * records and subscribers, publishing one more batch (made and signed here) while the console is
 * open, and saves a screenshot of the console to {@value #SCREENSHOT}. Needs
 * {@code npm ci --prefix src/test/node} and {@code /usr/bin/chromium} ({@code .ci/run} installs
 * both).
 */
class ConsoleBrowserIT extends IntegrationTest {
  private static final String SCREENSHOT = "target/console.png";
  private static final String ADMIN_TOKEN = "console-browser-admin-token-0123";

  @TempDir
  Path dir;

  @Test
  void anAdminLogsInSeesTheQueuesAndABatchPublishedFromOutsideAppearsLive() throws Exception {
    JsonObject presence = Configs.keyed("login").put("type", "expiring").put("ttlSeconds", 600);
    TestNode node = start(Configs.node(new JsonObject()
            .put(Configs.DEFAULT, Configs.keyed("id"))
            .put("rooms", Configs.keyed("id"))
            .put("presence", presence))
        .put("admin", new JsonObject().put("token", ADMIN_TOKEN)));
    await(node.publishOk("rooms", batch(
        room("lobby", "Lobby", 40), room("lab", "Lab", 12), room("studio", "Studio", 8))));
    await(node.publishOk("rooms", batch(room("library", "Library", 20))));
    await(node.publishOk("presence", batch(
        new JsonObject().put("login", "ada").put("room", "lab"),
        new JsonObject().put("login", "grace").put("room", "lobby"))));
    for (String queue : List.of("rooms", "rooms", "presence")) {
      await(await(node.pollOk(queue)).line(0));
    }

    String key = "auditorium-" + System.nanoTime();
    String published = batch(room(key, "Auditorium", 120));
    Path screenshot = Path.of(SCREENSHOT).toAbsolutePath();
    Files.deleteIfExists(screenshot);
    NodeScript.run("console/console.test.mjs", Map.of(
        "SYNCBUS_HTTP", "http://" + TestNode.HOST + ":" + node.port(),
        "SYNCBUS_ADMIN_TOKEN", ADMIN_TOKEN,
        "SYNCBUS_QUEUE", "rooms",
        "SYNCBUS_BATCH", published,
        "SYNCBUS_BATCH_TOKEN", Tokens.update(node.publishSecret("rooms"), published),
        "SYNCBUS_BATCH_KEY", key,
        "SYNCBUS_SCREENSHOT", screenshot.toString()), dir);
    assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the console in " + screenshot);
  }

  private static JsonObject room(String id, String name, int seats) {
    return new JsonObject().put("id", id).put("name", name).put("seats", seats);
  }

  private static String batch(JsonObject... records) {
    JsonArray batch = new JsonArray();
    for (JsonObject record : records) {
      batch.add(new JsonObject().put("type", "update").put("data", record));
    }
    return batch.encode();
  }
}
