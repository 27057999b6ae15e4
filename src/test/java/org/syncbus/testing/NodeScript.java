package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a Node test file ({@code node --test}) of {@code src/test/node}, whose npm packages
 * {@code scripts/test} installs ({@code npm ci --prefix src/test/node}); fails with its output, which
 * it also writes to {@code logDir} (as {@code NAME.log}, {@code script} may be in a subdirectory).
 */
public final class NodeScript {
  public static final Path DIR = Path.of("src", "test", "node");

  private NodeScript() {}

  public static void run(String script, Map<String, String> env, Path logDir) throws IOException, InterruptedException {
    assertTrue(Files.isDirectory(DIR.resolve("node_modules")),
        DIR.resolve("node_modules") + " is missing: run `npm ci --prefix src/test/node` first (scripts/test does)");
    Path log = logDir.resolve(Path.of(script).getFileName() + ".log");
    ExternalProcess.run(List.of("node", "--test", DIR.resolve(script).toString()), env, log);
  }
}
