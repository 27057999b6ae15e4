package org.syncbus.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.ProcessLog;
import org.syncbus.testing.Tokens;

/**
 * SIGHUP makes the packaged server read its configuration file at once, and does not kill it; each
 * SIGHUP logs one line of its outcome, an unchanged file included.
 */
class SighupIT {
  private static final Path JAR = Path.of("target", "syncbus.jar");

  @TempDir
  Path dir;

  private static String config(int port, String queues) {
    return """
        {"http": {"host": "127.0.0.1", "port": %d}, "reload": {"scanSeconds": 3600},
         "queues": {%s}}
        """.formatted(port, queues);
  }

  private static String queue(String name) {
    return "\"" + name + "\": {\"pk\": \"id\", \"secrets\": {\"publish\": \"p\", \"subscribe\": \"s\"}}";
  }

  @Test
  void sighupReloadsTheConfigurationAtOnce() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is built before integration tests");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path file = Files.writeString(dir.resolve("syncbus.json"), config(port, queue("default")));
    Process server = new ProcessBuilder("java", "-jar", JAR.toString(), "-conf", file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
    HttpClient http = HttpClient.newHttpClient();
    try {
      assertEquals(200, statusWithin(http, port, "/__ping", server));
      assertEquals(404, status(http, port, "/queues/added/info" + Tokens.pollQuery(Tokens.poll("s"))));
      Files.writeString(file, config(port, queue("default") + ", " + queue("added")));
      hangUp(server);
      assertEquals(200, statusWithin(http, port, "/queues/added/info" + Tokens.pollQuery(Tokens.poll("s")), server),
          "the scan period is an hour: only SIGHUP can have reloaded it");
      ProcessLog log = new ProcessLog(server, dir.resolve("server.log"));
      String added = "configuration reloaded: queues added [added]";
      log.await(added, line -> line.endsWith(added), Duration.ofSeconds(20));
      hangUp(server);
      String unchanged = "configuration reloaded: no change";
      log.await(unchanged, line -> line.endsWith(unchanged), Duration.ofSeconds(20));
      assertTrue(server.isAlive(), "SIGHUP does not stop the server");
    } finally {
      server.destroy();
      assertTrue(server.waitFor(20, TimeUnit.SECONDS));
    }
    assertEquals(0, server.exitValue(), Files.readString(dir.resolve("server.log")));
  }

  private static void hangUp(Process server) throws Exception {
    new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).start().waitFor(10, TimeUnit.SECONDS);
  }

  private static int status(HttpClient http, int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The status once the server answers 200, waiting a bounded time (the server starts, or reloads). */
  private static int statusWithin(HttpClient http, int port, String path, Process server) throws Exception {
    int last = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
      assertTrue(server.isAlive(), "the server exited");
      try {
        last = status(http, port, path);
        if (last == 200) {
          return last;
        }
      } catch (IOException starting) {
        last = 0;
      }
      server.waitFor(200, TimeUnit.MILLISECONDS);
    }
    return last;
  }
}
