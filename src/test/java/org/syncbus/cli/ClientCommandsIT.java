package org.syncbus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/** {@code publish} and {@code poll}, run from the packaged jar as a user runs them, against a real node. */
class ClientCommandsIT extends IntegrationTest {
  private static final Path JAR = Path.of("target", "syncbus.jar");
  private static final long WAIT_SECONDS = 20;

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void jarIsBuilt() {
    assertTrue(Files.isRegularFile(JAR), "integration tests run after package: " + JAR + " is missing");
  }

  @AfterEach
  void stopProcesses() {
    processes.forEach(Process::destroyForcibly);
  }

  /** A started command, its output lines queued as they arrive. */
  private final class Command {
    final Process process;
    final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    final BlockingQueue<String> err = new LinkedBlockingQueue<>();

    Command(String stdin, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
      command.addAll(List.of(args));
      process = new ProcessBuilder(command).start();
      processes.add(process);
      pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), out);
      pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), err);
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
    }

    String nextLine() throws InterruptedException {
      String line = out.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(line, "no output line within " + WAIT_SECONDS + " s; stderr: " + err);
      return line;
    }

    int exitStatus() throws InterruptedException {
      assertTrue(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "still running after " + WAIT_SECONDS + " s");
      return process.exitValue();
    }

    /** The one line of stderr the command printed when it failed. */
    String errorLine() throws InterruptedException {
      exitStatus();
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = err.poll(1, TimeUnit.SECONDS)) != null) {
        lines.add(line);
      }
      assertEquals(1, lines.size(), "stderr must be one line: " + lines);
      return lines.get(0);
    }
  }

  private static void pump(BufferedReader reader, BlockingQueue<String> lines) {
    Thread thread = new Thread(() -> {
      try (reader) {
        String line;
        while ((line = reader.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("<read failed: " + e + ">");
      }
    });
    thread.setDaemon(true);
    thread.start();
  }

  private static String url(TestNode node) {
    return "http://127.0.0.1:" + node.port();
  }

  @Test
  void publishAndPollEndToEnd() throws Exception {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":0,\"name\":\"zero\"}}]"));
    Command poll = new Command(null, "poll", "--url", url(node), "--secret", Configs.SUBSCRIBE_SECRET);
    assertEquals(new JsonObject("{\"key\":0,\"change\":\"created\",\"record\":{\"id\":0,\"name\":\"zero\"}}"),
        new JsonObject(poll.nextLine()));

    Command ndjson = new Command("{\"id\":1,\"name\":\"ada\"}\n{\"id\":\"1\",\"big\":123456789012345678901234567890}\n",
        "publish", "--url", url(node), "--secret", Configs.PUBLISH_SECRET, "-");
    assertEquals(0, ndjson.exitStatus());
    assertEquals(new JsonObject("{\"key\":1,\"change\":\"created\",\"record\":{\"id\":1,\"name\":\"ada\"}}"),
        new JsonObject(poll.nextLine()));
    String big = poll.nextLine();
    assertTrue(big.contains("123456789012345678901234567890"), "values are printed exactly: " + big);
    assertEquals("1", new JsonObject(big).getString("key"), "the string key \"1\" stays a string");

    Path batch = Files.writeString(dir.resolve("batch.json"), "[{\"type\":\"delete\",\"data\":{\"id\":1}}]");
    Command fromFile = new Command(null, "publish", "--url", url(node), "--secret", Configs.PUBLISH_SECRET,
        batch.toString());
    assertEquals(0, fromFile.exitStatus());
    assertEquals(new JsonObject("{\"key\":1,\"change\":\"deleted\",\"record\":{\"id\":1,\"name\":\"ada\"}}"),
        new JsonObject(poll.nextLine()), "a deletion prints the last known record");
  }

  @Test
  void pollWatchPrintsOnlyChangesOfWatchedFields() throws Exception {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":1,\"room\":\"a\",\"t\":1}}]"));
    Command poll = new Command(null, "poll", "--url", url(node), "--secret", Configs.SUBSCRIBE_SECRET,
        "--watch", "room");
    assertEquals("created", new JsonObject(poll.nextLine()).getString("change"));
    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":1,\"room\":\"a\",\"t\":2}}]"));
    await(node.publishOk(Configs.DEFAULT, "[{\"type\":\"update\",\"data\":{\"id\":1,\"room\":\"b\",\"t\":3}}]"));
    JsonObject line = new JsonObject(poll.nextLine());
    assertEquals("updated", line.getString("change"));
    assertEquals(3, line.getJsonObject("record").getInteger("t"), "the t-only change was not printed");
  }

  @Test
  void publishRefusedByTheServerExitsOneWithItsMessage() throws Exception {
    TestNode node = start(Configs.defaultNode());
    Command wrongSecret = new Command("[]", "publish", "--url", url(node), "--secret", "wrong");
    assertEquals(1, wrongSecret.exitStatus());
    assertTrue(wrongSecret.errorLine().contains("Invalid token"));
    Command invalid = new Command("[{\"type\":\"update\",\"data\":{}}]", "publish", "--url", url(node),
        "--secret", Configs.PUBLISH_SECRET);
    assertEquals(1, invalid.exitStatus());
    assertTrue(invalid.errorLine().contains("batch[0].data: missing key field \"id\""));
  }

  @Test
  void badUsageExitsTwo() throws Exception {
    Command noUrl = new Command("[]", "publish", "--secret", "s");
    assertEquals(2, noUrl.exitStatus());
    assertTrue(noUrl.errorLine().contains("--url"));
    Command badInput = new Command("not json\n", "publish", "--url", "http://127.0.0.1:1", "--secret", "s");
    assertEquals(2, badInput.exitStatus());
    assertTrue(badInput.errorLine().contains("line 1"));
    Command pollNoSecret = new Command(null, "poll", "--url", "http://127.0.0.1:1");
    assertEquals(2, pollNoSecret.exitStatus());
    Command badRetryFor = new Command("[]", "publish", "--url", "http://127.0.0.1:1", "--secret", "s",
        "--retry-for", "soon");
    assertEquals(2, badRetryFor.exitStatus());
    assertTrue(badRetryFor.errorLine().contains("--retry-for"));
    Command badKey = new Command("[]", "publish", "--url", "http://127.0.0.1:1", "--secret", "s",
        "--idempotency-key", "k".repeat(129));
    assertEquals(2, badKey.exitStatus());
    assertTrue(badKey.errorLine().contains("idempotency key"));
  }

  @Test
  void unreachableServerExitsThree() throws Exception {
    Command publish = new Command("[]", "publish", "--url", "http://127.0.0.1:1", "--secret", "s", "--retry-for", "0");
    assertEquals(3, publish.exitStatus());
    assertTrue(publish.errorLine().contains("cannot reach"));
    Command poll = new Command(null, "poll", "--url", "http://127.0.0.1:1", "--secret", "s", "--pk", "id");
    assertEquals(3, poll.exitStatus());
  }

  @Test
  void publishStillFailingWhenRetryForRunsOutExitsThree() throws Exception {
    long started = System.nanoTime();
    Command publish = new Command("[]", "publish", "--url", "http://127.0.0.1:1", "--secret", "s", "--retry-for", "1");
    assertEquals(3, publish.exitStatus());
    String error = publish.errorLine();
    assertTrue(error.contains("cannot reach") && error.contains("gave up after"), error);
    long tookSeconds = (System.nanoTime() - started) / 1_000_000_000;
    assertTrue(tookSeconds < 10, "took " + tookSeconds + " s, start-up included");
  }

  @Test
  void publishWithTheSameIdempotencyKeyTwiceSucceedsBothTimes() throws Exception {
    TestNode node = start(Configs.defaultNode());
    for (int run = 0; run < 2; run++) {
      Command publish = new Command("{\"id\":9}\n", "publish", "--url", url(node), "--secret", Configs.PUBLISH_SECRET,
          "--idempotency-key", "import-9", "--retry-for", "5");
      assertEquals(0, publish.exitStatus());
    }
    assertEquals(1, await(node.infoOk(Configs.DEFAULT)).getLong("seq"), "applied once");
  }

  @Test
  void tokenCommandMintsAJwtThatPublishAndPollAccept() throws Exception {
    String secret = "cli-jwt-secret-0123456789abcdef0";
    JsonObject config = Configs.defaultNode().put("auth", new JsonObject().put("jwt", new JsonObject()
        .put("keys", new io.vertx.core.json.JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", secret)))));
    TestNode node = start(config);
    Command mint = new Command(null, "token", "--secret", secret, "--queue", "default", "--rights", "publish,subscribe");
    String jwt = mint.nextLine();
    assertEquals(0, mint.exitStatus());
    Command poll = new Command(null, "poll", "--url", url(node), "--token", jwt, "--pk", "id");
    Command publish = new Command("{\"id\":5}\n", "publish", "--url", url(node), "--token", jwt);
    assertEquals(0, publish.exitStatus());
    assertEquals("created", new JsonObject(poll.nextLine()).getString("change"));
    Command subscribeOnly = new Command(null, "token", "--secret", secret, "--rights", "subscribe");
    Command refused = new Command("[]", "publish", "--url", url(node), "--token", subscribeOnly.nextLine());
    assertEquals(1, refused.exitStatus(), "a token without the publish right is refused (403)");
  }

  @Test
  void pollRefusedByTheServerExitsOne() throws Exception {
    TestNode node = start(Configs.defaultNode());
    Command poll = new Command(null, "poll", "--url", url(node), "--secret", "wrong");
    assertEquals(1, poll.exitStatus());
    assertTrue(poll.errorLine().contains("Invalid token"));
  }
}
