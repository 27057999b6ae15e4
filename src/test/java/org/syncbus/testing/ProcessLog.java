package org.syncbus.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The log a server process writes to a file, read as an operator reads it: line by line, waiting
 * (bounded) for the line that says something happened, and failing at once, with the log, when the
 * process exits meanwhile.
 */
public final class ProcessLog {
  private static final long POLL_MILLIS = 200;

  private final Process process;
  private final Path file;

  public ProcessLog(Process process, Path file) {
    this.process = process;
    this.file = file;
  }

  /** The lines written so far. */
  public List<String> lines() throws IOException {
    // Not readAllLines: a line caught half-written may end inside a character.
    return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList() : List.of();
  }

  /** The first line (written or to come within {@code timeout}) that {@code accepted}. */
  public String await(String what, Predicate<String> accepted, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : lines()) {
        if (accepted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("no line " + what + (process.isAlive() ? " within " + timeout.toSeconds() + " s"
            : "; the process exited with " + process.exitValue()) + "; the log:\n" + String.join("\n", lines()));
      }
      process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
