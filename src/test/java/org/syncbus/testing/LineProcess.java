package org.syncbus.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A third-party program that runs until stopped ({@code curl -N} following a stream), its output
 * (stdout and stderr) read line by line as it arrives; waits for a line are bounded. Closing it
 * destroys the process and waits (bounded) for its end.
 */
public final class LineProcess implements AutoCloseable {
  private final Process process;
  private final List<String> command;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private LineProcess(List<String> command, Process process) {
    this.command = command;
    this.process = process;
    Thread pump = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("<read failed: " + e + ">");
      }
    }, "line-process-" + command.get(0));
    pump.setDaemon(true);
    pump.start();
  }

  public static LineProcess start(List<String> command) throws IOException {
    return new LineProcess(List.copyOf(command), new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** The next line of output, within {@link Await#TIMEOUT}. */
  public String nextLine() throws InterruptedException {
    String line = lines.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(line, String.join(" ", command) + ": no line within " + Await.TIMEOUT.toMillis()
        + " ms; before: " + seen + (process.isAlive() ? "" : "; it exited with " + process.exitValue()));
    seen.add(line);
    return line;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }
}
