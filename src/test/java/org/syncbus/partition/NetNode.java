package org.syncbus.partition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One syncbus node: the packaged jar run as a real process inside its namespace, its output in a
 * log file (kept under {@code target/partition-it} for CI to show), signalled by its PID
 * ({@code ip netns exec} execs java, so the PID of the started process is the JVM's).
 */
final class NetNode {
  static final int HTTP_PORT = 8000;
  private static final long SIGNAL_SECONDS = 5;
  private static final long EXIT_SECONDS = 10;

  private final int index;
  private final String clusterAddress;
  private final String accessAddress;
  private final Process process;
  private final Path log;
  private volatile boolean killed;

  private NetNode(int index, String clusterAddress, String accessAddress, Process process, Path log) {
    this.index = index;
    this.clusterAddress = clusterAddress;
    this.accessAddress = accessAddress;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} (a {@code java …} line) in node {@code index}'s namespace, output to {@code log}. */
  static NetNode start(Namespaces network, int index, List<String> command, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(network.inside(index, command))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().remove("SYNCBUS_HTTP_PORT");
    return new NetNode(index, network.clusterAddress(index), network.accessAddress(index), builder.start(), log);
  }

  /** 1, 2 or 3: the node's namespace and the last octet of its addresses. */
  int index() {
    return index;
  }

  String clusterAddress() {
    return clusterAddress;
  }

  /** The address the test reaches the node's HTTP port at. */
  String accessAddress() {
    return accessAddress;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits (bounded) until the process is gone. */
  void kill() throws InterruptedException {
    killed = true;
    process.destroyForcibly();
    if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("node " + this + " still runs " + EXIT_SECONDS + " s after SIGKILL");
    }
  }

  /** Whether {@link #kill()} was called: a node that is gone on purpose. */
  boolean killed() {
    return killed;
  }

  /** SIGSTOP: the JVM freezes, its sockets stay open, as a node in a long GC pause or a frozen VM. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** The shell's own {@code kill}: no procps needed on a bare CI image. */
  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid()).redirectErrorStream(true).start();
    try {
      if (!kill.waitFor(SIGNAL_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IOException("kill -" + name + " " + pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } finally {
      kill.destroyForcibly();
    }
  }

  Path logFile() {
    return log;
  }

  /** Everything the node printed so far. */
  String log() {
    try {
      // Not readString: a line caught half-written may end inside a character.
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** The last {@code lines} lines the node printed, for failure messages. */
  String logTail(int lines) {
    List<String> all = List.of(log().split("\n"));
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** How many times {@code text} occurs in the node's output so far. */
  int occurrences(String text) {
    String output = log();
    int count = 0;
    for (int at = output.indexOf(text); at >= 0; at = output.indexOf(text, at + text.length())) {
      count++;
    }
    return count;
  }

  @Override
  public String toString() {
    return "node" + index + " (" + accessAddress + ", pid " + pid() + ")";
  }
}
