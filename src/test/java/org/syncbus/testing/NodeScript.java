package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Node test file ({@code node --test}) of {@code src/test/node}, whose npm packages
 * {@code scripts/test} installs ({@code npm ci --prefix src/test/node}); fails with its output.
 */
public final class NodeScript {
  public static final Path DIR = Path.of("src", "test", "node");
  private static final long TIMEOUT_SECONDS = 120;

  private NodeScript() {}

  public static void run(String script, Map<String, String> env, Path logDir) throws IOException, InterruptedException {
    assertTrue(Files.isDirectory(DIR.resolve("node_modules")),
        DIR.resolve("node_modules") + " is missing: run `npm ci --prefix src/test/node` first (scripts/test does)");
    Path output = logDir.resolve(script + ".log");
    ProcessBuilder builder = new ProcessBuilder("node", "--test", DIR.resolve(script).toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run node (Node.js 18 or later is needed): " + e.getMessage(), e);
    }
    boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    if (!finished) {
      fail("node --test " + script + " did not finish within " + TIMEOUT_SECONDS + " s:\n" + log);
    }
    assertEquals(0, process.exitValue(), "node --test " + script + " failed:\n" + log);
  }
}
