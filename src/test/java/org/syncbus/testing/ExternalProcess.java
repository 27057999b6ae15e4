package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a third-party program to its end (bounded: past the bound it is killed, with every process
 * it started), and fails with its output unless it exits 0 ({@link #run}), or tells how it ended
 * ({@link #attempt}, for programs expected to fail).
 */
public final class ExternalProcess {
  private static final long TIMEOUT_SECONDS = 120;

  /** How a program ended: its exit status and its output (stdout and stderr). */
  public record Outcome(int status, String output) {}

  private ExternalProcess() {}

  /** Runs {@code command} with {@code env} added; returns its output (stdout and stderr). */
  public static String run(List<String> command, Map<String, String> env, Path log) throws IOException, InterruptedException {
    Outcome outcome = attempt(command, env, log);
    assertEquals(0, outcome.status(), String.join(" ", command) + " failed:\n" + outcome.output());
    return outcome.output();
  }

  /** Runs {@code command} with {@code env} added to its end, whatever its status; fails only if it hangs. */
  public static Outcome attempt(List<String> command, Map<String, String> env, Path log) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    boolean finished = false;
    try {
      finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      if (!finished) {
        // Its children first (a browser, a node it started), while they are still its descendants:
        // once it is gone they belong to init, and would outlive the test.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (!finished) {
      fail(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s:\n" + output);
    }
    return new Outcome(process.exitValue(), output);
  }
}
