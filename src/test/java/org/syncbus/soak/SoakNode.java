package org.syncbus.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * One node of the soak's cluster: the packaged jar run as a real process on 127.0.0.1, always on
 * the same HTTP and Hazelcast ports, started again after each kill (an incarnation each time, with
 * a Vert.x node id of its own). Its output goes to {@code nodeI.log}, every incarnation appended.
 *
 * <p>Requests to it (health, info, the final backlog) go through a {@link TestNode} of the driver's
 * Vert.x, each bounded by {@link #PROBE_SECONDS}: a node that was just killed or is still starting
 * shows as a failed future, never as a hang.
 */
final class SoakNode {
  static final long PROBE_SECONDS = 5;
  private static final long EXIT_SECONDS = 10;
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private final int index;
  private final int httpPort;
  private final List<String> command;
  private final Path log;
  private final TestNode probe;
  private Process process;
  private int incarnations;

  SoakNode(Vertx vertx, int index, int httpPort, List<String> command, Path log, JsonObject config) {
    this.index = index;
    this.httpPort = httpPort;
    this.command = List.copyOf(command);
    this.log = log;
    this.probe = new TestNode(vertx, httpPort, config);
  }

  /** The {@code java} command of a node: the jar with its files, clustered on loopback. */
  static List<String> command(String heap, Path clusterXml, Path jar, Path config) {
    List<String> command = new ArrayList<>();
    command.add(JAVA.toString());
    command.add("-Xmx" + heap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Dvertx.hazelcast.config=" + clusterXml.toAbsolutePath());
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "-conf", config.toAbsolutePath().toString(),
        "-cluster", "-cluster-host", TestNode.HOST));
    return command;
  }

  /** Starts a new incarnation (the previous one must be gone). */
  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(this + " still runs");
    }
    incarnations++;
    Files.writeString(log, "--- soak: incarnation " + incarnations + " ---\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("SYNCBUS_HTTP_PORT", Integer.toString(httpPort));
    process = builder.start();
  }

  /** SIGKILL, and waits (bounded) until the process is gone. */
  synchronized void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(this + " still runs " + EXIT_SECONDS + " s after SIGKILL");
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  int index() {
    return index;
  }

  String url() {
    return "http://" + TestNode.HOST + ":" + httpPort;
  }

  Future<HttpReply> health() {
    return probe.get("/health").timeout(PROBE_SECONDS, TimeUnit.SECONDS);
  }

  /** {@code /queues/default/info}, which must answer 200. */
  Future<JsonObject> info() {
    return probe.infoOk(Soak.QUEUE).timeout(PROBE_SECONDS, TimeUnit.SECONDS);
  }

  /** The first line of a {@code format=seq} poll: epoch, seq and the whole backlog, read at one instant. */
  Future<JsonObject> snapshot(long timeoutSeconds) {
    String uri = TestNode.pollPath(Soak.QUEUE) + Tokens.pollQuery(probe.pollToken(Soak.QUEUE))
        + "&format=seq";
    return probe.openPoll(uri)
        .compose(stream -> stream.status() == 200
            ? stream.line(0).eventually(stream::close)
            : stream.refusalBody().eventually(stream::close).compose(body ->
                Future.failedFuture(new IllegalStateException(this + ": poll answered " + stream.status() + " " + body))))
        .map(JsonObject::new)
        .timeout(timeoutSeconds, TimeUnit.SECONDS);
  }

  Future<Void> close() {
    return probe.closeStreams().eventually(probe::close);
  }

  /** The last {@code lines} lines the node printed, for failure messages. */
  String logTail(int lines) {
    try {
      List<String> all = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  Path log() {
    return log;
  }

  @Override
  public synchronized String toString() {
    return "node" + index + " (" + url() + (process == null ? "" : ", pid " + process.pid()) + ")";
  }
}
