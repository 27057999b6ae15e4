package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * README, "Running", on the built jar run as a real process: a bad configuration stops
 * start-up with status 1 and one line naming the setting, never a secret; a good one serves (with
 * {@code -instances N}, N edges and still one owner per queue), and SIGTERM ends open polls cleanly
 * and exits 0. Every process is killed in a {@code finally}; every wait is bounded. Skipped when
 * {@code target/syncbus.jar} is not built.
 */
class LauncherIT extends IntegrationTest {
  private static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  private static final long EXIT_SECONDS = 30;
  private static final String LITERAL_SECRET = "literal-secret-never-printed";

  @TempDir
  Path dir;

  /** A finished (or killed) run of the jar: its status and what it printed. */
  private record Run(int status, String stdout, String stderr) {
    List<String> stderrLines() {
      return stderr.lines().filter(line -> !line.isBlank()).toList();
    }
  }

  @BeforeAll
  static void jarIsBuilt() {
    assumeTrue(Files.isRegularFile(JAR), "target/syncbus.jar is not built");
  }

  private Path configFile(JsonObject config) throws IOException {
    Path file = Files.createTempFile(dir, "syncbus", ".json");
    Files.writeString(file, config.encodePrettily());
    return file;
  }

  private Process launch(Path config, Map<String, String> env, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
        "-conf", config.toString()));
    command.addAll(List.of(options));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("SYNCBUS_HTTP_PORT");
    builder.environment().remove("SYNCBUS_TEST_UNDEFINED_SECRET");
    builder.environment().putAll(env);
    builder.redirectOutput(dir.resolve("stdout.txt").toFile());
    builder.redirectError(dir.resolve("stderr.txt").toFile());
    return builder.start();
  }

  private Run finish(Process process) throws Exception {
    try {
      boolean exited = process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(exited, "the process did not exit within " + EXIT_SECONDS + " s; stderr: " + read("stderr.txt"));
      return new Run(process.exitValue(), read("stdout.txt"), read("stderr.txt"));
    } finally {
      process.destroyForcibly();
    }
  }

  private Run run(JsonObject config, Map<String, String> env) throws Exception {
    return finish(launch(configFile(config), env));
  }

  private String read(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private static JsonObject loopback(JsonObject queues) {
    return new JsonObject().put("http", new JsonObject().put("host", TestNode.HOST).put("port", 0)).put("queues", queues);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      return socket.getLocalPort();
    }
  }

  private static JsonObject missingPrimaryKey() {
    return loopback(new JsonObject().put("X", new JsonObject()
        .put("secrets", new JsonObject().put("publish", LITERAL_SECRET).put("subscribe", "s2"))));
  }

  @Test
  void missingPrimaryKeyExitsWithStatus1NamingTheSetting() throws Exception {
    Run run = run(missingPrimaryKey(), Map.of());

    assertEquals(1, run.status(), run::toString);
    assertTrue(run.stderr().contains("queues.X.pk"), run::stderr);
    assertFalse(run.stderr().contains(LITERAL_SECRET) || run.stdout().contains(LITERAL_SECRET), "printed a secret");
  }

  @Test
  void badConfigurationStopsStartUpWithOneLineOnStderr() throws Exception {
    Run run = run(missingPrimaryKey(), Map.of());

    assertEquals(1, run.status(), run::toString);
    assertEquals(1, run.stderrLines().size(), () -> "expected one line naming queues.X.pk on stderr, got:\n" + run.stderr());
    assertTrue(run.stderrLines().get(0).contains("queues.X.pk"), run::stderr);
  }

  @Test
  void undefinedEnvironmentSecretExitsWithStatus1WithoutPrintingAnySecret() throws Exception {
    Run run = run(loopback(new JsonObject().put("default", new JsonObject().put("pk", "id")
        .put("secrets", new JsonObject()
            .put("publish", LITERAL_SECRET)
            .put("subscribe", "${SYNCBUS_TEST_UNDEFINED_SECRET}")))), Map.of());

    assertEquals(1, run.status(), run::toString);
    assertTrue(run.stderr().contains("SYNCBUS_TEST_UNDEFINED_SECRET") || run.stderr().contains("secrets.subscribe"),
        run::stderr);
    assertFalse(run.stderr().contains(LITERAL_SECRET), () -> "stderr printed a secret: " + run.stderr());
    assertFalse(run.stdout().contains(LITERAL_SECRET), () -> "stdout printed a secret: " + run.stdout());
  }

  @Test
  void portAlreadyInUseExitsWithStatus1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      Run run = run(loopback(new JsonObject().put("default", Configs.keyed("id"))),
          Map.of("SYNCBUS_HTTP_PORT", Integer.toString(taken.getLocalPort())));

      assertEquals(1, run.status(), run::toString);
      assertTrue(run.stderr().contains("http.port") || run.stderr().contains(Integer.toString(taken.getLocalPort())),
          run::stderr);
      assertFalse(run.stderr().contains(Configs.PUBLISH_SECRET), run::stderr);
    }
  }

  /** Starts the jar on a free port and waits (bounded) until it answers {@code /__ping} and every queue is ready. */
  private TestNode started(int port, JsonObject config) {
    TestNode node = new TestNode(vertx, port, config);
    await(Await.eventually(vertx, "the node answers /__ping", 150, 100,
        () -> node.get("/__ping").map(reply -> reply.body()), "pong"::equals));
    await(node.awaitReady());
    return node;
  }

  @Test
  void goodConfigServesAndSigtermEndsOpenPollsCleanlyAndExits0() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")));
    int port = freePort();
    Process process = launch(configFile(config), Map.of("SYNCBUS_HTTP_PORT", Integer.toString(port)));
    try {
      TestNode node = started(port, config);
      await(node.publishOk("default", "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
      PollStream poll = await(node.pollOk("default"));
      assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":1}}]", await(poll.line(0)));

      process.destroy();

      await(poll.ended());
      assertEquals("", poll.unterminated(), "the stream ended after a whole line");
      Run run = finish(process);
      assertEquals(0, run.status(), run::toString);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void severalInstancesShareOneOwnerPerQueue() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")));
    int port = freePort();
    Process process = launch(configFile(config), Map.of("SYNCBUS_HTTP_PORT", Integer.toString(port)), "-instances", "3");
    try {
      TestNode node = started(port, config);
      StringBuilder backlog = new StringBuilder("[");
      for (int i = 1; i <= 6; i++) {
        String update = "{\"type\":\"update\",\"data\":{\"id\":" + i + "}}";
        await(node.publishOk("default", "[" + update + "]"));
        backlog.append(i == 1 ? "" : ",").append(update);
      }
      String expected = backlog.append("]").toString();
      List<PollStream> polls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        PollStream poll = await(node.pollOk("default"));
        assertJsonEquals(expected, await(poll.line(0)));
        polls.add(poll);
      }
      assertEquals(6L, await(node.infoOk("default")).getLong("seq"), "one owner numbered every batch once");

      String next = "[{\"type\":\"delete\",\"data\":{\"id\":3}}]";
      await(node.publishOk("default", next));

      for (PollStream poll : polls) {
        assertJsonEquals(next, await(poll.line(1)));
      }
      assertEquals(6, await(node.infoOk("default")).getInteger("subscribers"));
      for (PollStream poll : polls) {
        await(poll.close());
      }
      await(node.awaitSubscribers("default", 0));
    } finally {
      process.destroyForcibly();
    }
  }
}
