package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/**
 * README, "Running", "Exposing a node" and "Command line", on the built jar run as a real process:
 * a bad or unsafe configuration, a port in use or a bad host stops start-up with status 1 and one
 * line naming the setting (and nothing claiming to serve), never a secret; a good one serves (with
 * {@code -instances N}, N edges and still one owner per queue), and SIGTERM ends open polls cleanly
 * and exits 0. {@code --help}, {@code version} and {@code check-config} print syncbus's own answers.
 * Every process is killed in a {@code finally}; every wait is bounded. Skipped when
 * {@code target/syncbus.jar} is not built.
 */
class LauncherIT extends IntegrationTest {
  private static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  private static final long EXIT_SECONDS = 30;
  private static final String LITERAL_SECRET = "literal-secret-never-printed";
  private static final List<String> COMMANDS = List.of("check-config", "poll", "publish", "run", "token", "version");

  @TempDir
  Path dir;

  /** A finished (or killed) run of the jar: its status and what it printed. */
  private record Run(int status, String stdout, String stderr) {
    List<String> stderrLines() {
      return stderr.lines().filter(line -> !line.isBlank()).toList();
    }

    /** The one line of a failed start, after checking that it is the only one, on stderr, with status 1. */
    String onlyLine() {
      assertEquals(1, status, this::toString);
      assertEquals("", stdout, "a failed start printed on stdout");
      assertEquals(1, stderrLines().size(), () -> "expected one line on stderr, got:\n" + stderr);
      return stderrLines().get(0);
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
    List<String> args = new ArrayList<>(List.of("-conf", config.toString()));
    args.addAll(List.of(options));
    return launch(args, env);
  }

  /** {@code java -jar syncbus.jar args}, with {@code env} and none of the SYNCBUS_* overrides of this process. */
  private Process launch(List<String> args, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("SYNCBUS_HTTP_HOST");
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

  private Run command(String... args) throws Exception {
    return finish(launch(List.of(args), Map.of()));
  }

  private String read(String name) throws IOException {
    Path file = dir.resolve(name);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** What the process printed on stderr so far, read without blocking an event loop. */
  private Future<String> stderrSoFar() {
    return vertx.fileSystem().readFile(dir.resolve("stderr.txt").toString()).map(Buffer::toString);
  }

  /** How many of the process's threads are Vert.x event loops (named {@code vert.x-eventloop-thread-N}). */
  private static long eventLoops(Process process) throws IOException {
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    try (var threads = Files.list(tasks)) {
      return threads.filter(task -> {
        try {
          return Files.readString(task.resolve("comm")).startsWith("vert.x-eventloo");
        } catch (IOException gone) { // the thread ended meanwhile
          return false;
        }
      }).count();
    }
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

  /** Nothing claims to serve (no "serving", no queue "owned by this node") before the port is found taken. */
  @Test
  void portAlreadyInUseIsOneLineNamingHttpPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      Run run = run(loopback(new JsonObject().put("default", Configs.keyed("id")).put("other", Configs.keyed("id"))),
          Map.of("SYNCBUS_HTTP_PORT", Integer.toString(taken.getLocalPort())));

      assertEquals("syncbus: cannot start: http.port: 127.0.0.1:" + taken.getLocalPort() + " is in use", run.onlyLine());
    }
  }

  /** A host that is no address, or does not resolve: one line naming http.host. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      256.1.1.1       | syncbus: cannot start: http.host: 256.1.1.1 is not an IPv4 address
      nosuch.invalid  | syncbus: cannot start: http.host: cannot resolve nosuch.invalid
      """)
  void badHostIsOneLineNamingHttpHost(String host, String line) throws Exception {
    assertEquals(line, run(listeningOn(host), Map.of()).onlyLine());
  }

  @Test
  void hostOfAnotherMachineIsOneLineNamingHttpHost() throws Exception {
    InetAddress documentation = InetAddress.getByName("203.0.113.77");
    assumeTrue(NetworkInterface.getByInetAddress(documentation) == null, "this machine has 203.0.113.77");

    assertEquals("syncbus: cannot start: http.host: 203.0.113.77 is not an address of this machine",
        run(listeningOn("203.0.113.77"), Map.of()).onlyLine());
  }

  /** A node serving {@code default} (strong secrets) on {@code host}. */
  private static JsonObject listeningOn(String host) {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")));
    config.getJsonObject("http").put("host", host);
    return config;
  }

  @Test
  void misspeltRequiredSettingIsNamedAsUnknownWithTheNearestKnownOne() throws Exception {
    Run run = run(loopback(new JsonObject().put("presence", Configs.keyed("login")
        .put("type", "expiring").put("ttlSecond", 60))), Map.of());

    assertEquals("syncbus: cannot start: queues.presence.ttlSecond: unknown setting (did you mean ttlSeconds?)",
        run.onlyLine());
  }

  // --- Exposing a node -----------------------------------------------------------------------

  /** Each refusal of a node listening beyond loopback: one line naming the setting, never the secret. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a placeholder secret  | {"queues":{"default":{"pk":"id","secrets":{"publish":"change-me-pub","subscribe":"subscribe-secret-16+"}}}} | queues.default.secrets.publish: a placeholder secret (change-me-pub)
      a short secret        | {"queues":{"default":{"pk":"id","secrets":{"publish":"publish-secret-16+","subscribe":"short-sub"}}}} | queues.default.secrets.subscribe: a secret shorter than 16 bytes
      time tokens off       | {"auth":{"timeTokens":{"enabled":false}},"queues":{"default":{"pk":"id"}}} | auth.timeTokens.enabled: false
      a short HS JWT key    | {"auth":{"jwt":{"keys":[{"algorithm":"HS256","secret":"short-jwt"}]}},"queues":{}} | auth.jwt.keys[0].secret: a secret shorter than 16 bytes
      """)
  void nodeListeningBeyondLoopbackIsRefusedUnsafe(String rule, String config, String setting) throws Exception {
    JsonObject file = new JsonObject(config).put("http", new JsonObject().put("host", "0.0.0.0").put("port", 0));

    String line = run(file, Map.of()).onlyLine();

    assertTrue(line.startsWith("syncbus: cannot start: " + setting + " on a node listening on 0.0.0.0 (http.host)"), line);
    assertFalse(line.contains("short-sub") || line.contains("short-jwt"), line);
  }

  @Test
  void httpHostFromTheEnvironmentIsCheckedLikeTheFile() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")
        .put("secrets", new JsonObject().put("publish", "change-me-pub").put("subscribe", "change-me-sub"))));

    String line = run(config, Map.of("SYNCBUS_HTTP_HOST", "0.0.0.0")).onlyLine();

    assertTrue(line.startsWith("syncbus: cannot start: queues.default.secrets.publish: a placeholder secret"), line);
  }

  /** Binding every interface is fine in a test as long as the test connects on loopback only. */
  @Test
  void nodeListeningBeyondLoopbackWithStrongSecretsServes() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")));
    int port = freePort();
    Process process = launch(configFile(config),
        Map.of("SYNCBUS_HTTP_HOST", "0.0.0.0", "SYNCBUS_HTTP_PORT", Integer.toString(port)));
    try {
      TestNode node = started(port, config);
      await(node.publishOk("default", "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
      await(Await.eventually(vertx, "the node says it serves on 0.0.0.0", 150, 100,
          this::stderrSoFar, text -> text.contains("serving queues [default] on 0.0.0.0:" + port)));
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void loopbackNodeWithShortSecretsServesAndWarnsOnce() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")
        .put("secrets", new JsonObject().put("publish", "pub").put("subscribe", "sub"))));
    int port = freePort();
    Process process = launch(configFile(config), Map.of("SYNCBUS_HTTP_PORT", Integer.toString(port)));
    try {
      started(port, config);
      String stderr = await(Await.eventually(vertx, "the node says it serves", 150, 100,
          this::stderrSoFar, text -> text.contains("serving queues")));
      assertEquals(1, stderr.lines().filter(line -> line.contains("WARNING")).count(), stderr);
      assertTrue(stderr.contains("queues.default.secrets.publish: a secret shorter than 16 bytes: allowed while the "
          + "node listens on loopback only"), stderr);
    } finally {
      process.destroyForcibly();
    }
  }

  // --- Command line --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h"})
  void helpIsSyncbusUsageWithItsDefaultsEnvironmentAndCommandsOnly(String option) throws Exception {
    Run run = command(option);

    assertEquals(0, run.status(), run::toString);
    for (String expected : List.of("-conf FILE", "default: conf/syncbus.json", "-cluster", "-cluster-host HOST",
        "-instances N", "SYNCBUS_HTTP_HOST", "SYNCBUS_HTTP_PORT", "SYNCBUS_BRIDGE_TCP_PORT", "JAVA_OPTS", "${NAME}")) {
      assertTrue(run.stdout().contains(expected), () -> "no " + expected + " in:\n" + run.stdout());
    }
    List<String> commands = run.stdout().lines().dropWhile(line -> !line.equals("Commands:")).skip(1)
        .takeWhile(line -> !line.isBlank()).map(line -> line.trim().split(" ")[0]).toList();
    assertEquals(COMMANDS, commands);
    for (String stock : List.of("bare", "redeploy", "-ha", "main-verticle", "vert.x")) {
      assertFalse(run.stdout().contains(stock), () -> stock + " in:\n" + run.stdout());
    }
  }

  @Test
  void runHelpShowsTheNodesOptionsWithoutStartingOne() throws Exception {
    Run run = command("run", "--help");

    assertEquals(0, run.status(), run::toString);
    assertTrue(run.stdout().contains("-conf FILE"), run::stdout);
    assertFalse(run.stdout().contains("redeploy"), run::stdout);
    assertFalse(run.stderr().contains("serving"), run::stderr);
  }

  @ParameterizedTest
  @ValueSource(strings = {"version", "--version"})
  void versionIsSyncbusBuildVersionOnStdout(String command) throws Exception {
    Run run = command(command);

    assertEquals(0, run.status(), run::toString);
    assertTrue(run.stdout().matches("syncbus \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), run::stdout);
    assertEquals("", run.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bare", "start", "stop", "list"})
  void vertxBackgroundCommandsAreGone(String command) throws Exception {
    Run run = command(command);

    assertEquals(2, run.status(), run::toString);
    assertEquals(1, run.stderrLines().size(), run::stderr);
    assertTrue(run.stderr().startsWith("syncbus: unknown command " + command), run::stderr);
  }

  @Test
  void checkConfigPrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
    Path file = configFile(loopback(new JsonObject().put("default", Configs.keyed("id")
        .put("secrets", new JsonObject().put("publish", LITERAL_SECRET).put("subscribe", LITERAL_SECRET + "-sub")))));

    Run run = command("check-config", file.toString());

    assertEquals(0, run.status(), run::toString);
    assertEquals("", run.stderr());
    assertFalse(run.stdout().contains(LITERAL_SECRET), run::stdout);
    JsonObject printed = new JsonObject(run.stdout());
    assertEquals(new JsonObject().put("publish", "****").put("subscribe", "****"),
        printed.getJsonObject("queues").getJsonObject("default").getJsonObject("secrets"));
    assertEquals(120, printed.getJsonObject("auth").getJsonObject("timeTokens").getInteger("ttlSeconds"),
        "defaults are filled in");
  }

  @Test
  void checkConfigOfAnInvalidFileIsOneLineAndStatus1() throws Exception {
    Path file = configFile(missingPrimaryKey());

    Run run = command("check-config", file.toString());

    assertEquals(1, run.status(), run::toString);
    assertEquals("", run.stdout());
    assertEquals(List.of("syncbus check-config: " + file + ": queues.X.pk: missing"), run.stderrLines());
  }

  @Test
  void checkConfigRefusesWhatANodeWouldRefuse() throws Exception {
    JsonObject config = loopback(new JsonObject().put("default", Configs.keyed("id")
        .put("secrets", new JsonObject().put("publish", "change-me-pub").put("subscribe", "change-me-sub"))));
    config.getJsonObject("http").put("host", "0.0.0.0");
    Path file = configFile(config);

    Run run = command("check-config", file.toString());

    assertEquals(1, run.status(), run::toString);
    assertEquals(List.of("syncbus check-config: " + file + ": queues.default.secrets.publish: a placeholder secret "
        + "(change-me-pub) on a node listening on 0.0.0.0 (http.host); set a secret of at least 16 bytes"), run.stderrLines());
  }

  @Test
  void checkConfigOfAMissingFileIsOneLineAndStatus1() throws Exception {
    Path file = dir.resolve("missing.json");

    Run run = command("check-config", file.toString());

    assertEquals(1, run.status(), run::toString);
    assertEquals(List.of("syncbus check-config: " + file + ": cannot read (no such file)"), run.stderrLines());
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
      assertEquals(1, eventLoops(process), "one edge, one event loop: the queue's owner shares the edge's");

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
      assertEquals(3, eventLoops(process), "one event loop per edge");

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
