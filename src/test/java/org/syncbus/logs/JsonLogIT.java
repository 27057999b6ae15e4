package org.syncbus.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.ProcessLog;

/**
 * README, "Running": the packaged server, clustered, with {@code log.format} {@code json} writes
 * every line as one JSON object from its first line on, syncbus's, Vert.x's and Hazelcast's alike,
 * with the queue and the client as fields where a line names them; Hazelcast's module-system warning
 * is gone and its member list is one line. A reload to {@code text} switches the form from its next
 * line on, and says so by path.
 */
class JsonLogIT {
  private static final Path JAR = Path.of("target", "syncbus.jar");
  /** A clustered start waits for Hazelcast's join (seconds, more on a loaded machine). */
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TOKEN = "1700000000:0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A line of the text form: {@code 2026-12-01 01:02:03.456 INFO logger: message}. */
  private static final Pattern TEXT_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ \\S+: .*");
  private static final Pattern UTC_MILLIS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

  @TempDir
  Path dir;

  private static JsonObject config(int port, String format, long subscriberBufferBytes) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("reload", new JsonObject().put("scanSeconds", 3600))
        .put("cluster", new JsonObject().put("members", 1))
        .put("limits", new JsonObject().put("subscriberBufferBytes", subscriberBufferBytes))
        .put("log", new JsonObject().put("format", format))
        .put("queues", new JsonObject().put("default", new JsonObject().put("pk", "id")
            .put("secrets", new JsonObject().put("publish", "p").put("subscribe", "s"))));
  }

  @Test
  void everyLineIsOneJsonObjectUntilAReloadSwitchesToText() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path file = Files.writeString(dir.resolve("syncbus.json"), config(port, "json", 8192).encodePrettily());
    // The shipped cluster.xml under a cluster name of its own, so that no other build's nodes meet this one.
    Path clusterXml = Files.writeString(dir.resolve("cluster.xml"), Files.readString(Path.of("conf", "cluster.xml"))
        .replace("<cluster-name>syncbus</cluster-name>", "<cluster-name>syncbus-logs-" + UUID.randomUUID() + "</cluster-name>"));
    ProcessBuilder builder = new ProcessBuilder("java", "-Dvertx.hazelcast.config=" + clusterXml, "-jar", JAR.toString(),
        "-conf", file.toString(), "-cluster", "-cluster-host", "127.0.0.1")
        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
    builder.environment().remove("SYNCBUS_HTTP_PORT");
    Process server = builder.start();
    ProcessLog log = new ProcessLog(server, dir.resolve("stderr.txt"));
    try {
      log.await("about the queue's owner", line -> line.contains("queue default: owned by this node"), START);
      HttpResponse<Void> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/poll?data=%7B%7D&hmac=" + TOKEN)).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.discarding());
      assertEquals(403, refused.statusCode());
      log.await("about the refusal", line -> line.contains("refused 403"), WAIT);
      hangUp(server);
      log.await("saying an unchanged file changed nothing", line -> line.contains("configuration reloaded: no change"), WAIT);
      Files.writeString(file, config(port, "text", 16384).encodePrettily());
      hangUp(server);
      log.await("in text naming the settings changed", line -> TEXT_LINE.matcher(line).matches()
          && line.endsWith("configuration reloaded: changed limits.subscriberBufferBytes, log.format"), WAIT);
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "SIGTERM ends the node");
    }
    List<String> lines = log.lines();
    assertEquals(0, server.exitValue(), () -> String.join("\n", lines));
    assertEquals("", Files.readString(dir.resolve("stdout.txt")), "the log goes to stderr");

    int switched = 0;
    while (switched < lines.size() && lines.get(switched).startsWith("{")) {
      switched++;
    }
    List<JsonNode> json = new ArrayList<>();
    for (String line : lines.subList(0, switched)) {
      json.add(parsed(line));
    }
    for (String line : lines.subList(switched, lines.size())) {
      assertTrue(TEXT_LINE.matcher(line).matches(), () -> "after the reload to text, every line is one text line: " + line);
    }
    assertTrue(lines.get(switched).endsWith("configuration reloaded: changed limits.subscriberBufferBytes, log.format"),
        lines.get(switched));

    assertTrue(has(json, line -> line.get("logger").asText().startsWith("io.vertx")), "Vert.x's lines are JSON");
    assertTrue(has(json, line -> line.get("logger").asText().startsWith("com.hazelcast")
        && line.get("message").asText().contains("Members {size:1, ver:1} [ Member [127.0.0.1]:")),
        "Hazelcast's lines are JSON, its member list one line");
    assertTrue(has(json, line -> "default".equals(text(line, "queue"))
        && line.get("message").asText().startsWith("queue default: owned by this node")), "a line about a queue names it");
    assertTrue(has(json, line -> "127.0.0.1".equals(text(line, "client")) && "WARN".equals(text(line, "level"))
        && "org.syncbus.clients".equals(text(line, "logger"))), "a refusal names its client");
    for (String line : lines) {
      assertTrue(!line.contains("modular environment") && !line.contains("--add-opens"), () -> "Hazelcast's module warning: " + line);
      assertTrue(!line.contains(TOKEN), () -> "a credential in the log: " + line);
    }
  }

  private static void hangUp(Process server) throws Exception {
    new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).start().waitFor(10, TimeUnit.SECONDS);
  }

  /** A JSON line, parsed, with its four fields always there. */
  private static JsonNode parsed(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
    for (String field : List.of("time", "level", "logger", "message")) {
      assertTrue(node.hasNonNull(field), () -> field + " missing: " + line);
    }
    assertTrue(UTC_MILLIS.matcher(node.get("time").asText()).matches(), line);
    return node;
  }

  private static String text(JsonNode line, String field) {
    return line.hasNonNull(field) ? line.get(field).asText() : null;
  }

  private static boolean has(List<JsonNode> lines, Predicate<JsonNode> wanted) {
    return lines.stream().anyMatch(wanted);
  }
}
