package org.syncbus.limits;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.syncbus.testing.Await;
import org.syncbus.testing.TestNode;

/**
 * The packaged jar (or its launcher with test classes) run as a real process, seen from outside as
 * an operator sees it: its output, its status, its open descriptors ({@code /proc/PID/fd}) and its
 * heap after a full collection ({@code jcmd}). Closing it stops it: SIGTERM, then SIGKILL if it is
 * still there after a bounded wait.
 */
final class JarProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "syncbus.jar").toAbsolutePath();
  static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
  private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
  /**
   * A small heap, without {@code -XX:+ExitOnOutOfMemoryError}: running out of memory shows as the
   * node dying (the launcher ends it with status 3) or {@code /health} failing.
   */
  static final String NODE_HEAP = "-Xmx256m";
  private static final long STOP_SECONDS = 10;
  private static final long JCMD_SECONDS = 30;
  /** G1's and the other collectors' heap line: {@code garbage-first heap   total 34816K, used 8226K [...]}. */
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
  /** A stack trace's frame line, or what only an unexpected failure is logged at. */
  private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at |SEVERE|Exception in thread");

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private JarProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts the jar as a node with {@code config} (written to {@code dir}) on a heap of
   * {@value #NODE_HEAP}, and waits (bounded) until its {@code /health} answers 200 on {@code port}.
   */
  static JarProcess node(Vertx vertx, Path dir, JsonObject config, int port) throws IOException, InterruptedException {
    Path file = dir.resolve("syncbus.json");
    Files.writeString(file, config.encodePrettily());
    JarProcess node = start(dir, List.of(NODE_HEAP, "-jar", JAR.toString(), "-conf", file.toString()));
    TestNode probe = new TestNode(vertx, port, config);
    try {
      Await.await(Await.eventually(vertx, "the node answers /health 200", 200, 100, () -> probe.get("/health"),
          reply -> reply.status() == 200), Duration.ofSeconds(40));
      return node;
    } catch (AssertionError e) {
      String output = node.output();
      node.close();
      throw new AssertionError(e.getMessage() + "; output:\n" + output, e);
    } finally {
      Await.await(probe.close());
    }
  }

  /** A loopback port free now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      return socket.getLocalPort();
    }
  }

  /** Starts {@code java} with {@code arguments}, its output going to files in {@code dir}. */
  static JarProcess start(Path dir, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(JAVA_HOME.resolve("bin").resolve("java").toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("SYNCBUS_HTTP_PORT");
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    return new JarProcess(builder.start(), stdout, stderr);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits (bounded) for the end of the process; its status, or null when it still runs. */
  Integer exitStatus(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** Everything the process printed so far, stderr (where its log goes) first. */
  String output() {
    return stderr() + stdout();
  }

  /** The first stack-trace frame, {@code SEVERE} record or uncaught exception in the output, or null. */
  static String firstStackTrace(String output) {
    Matcher matcher = STACK_TRACE.matcher(output);
    if (!matcher.find()) {
      return null;
    }
    int start = output.lastIndexOf('\n', matcher.start()) + 1;
    int end = output.indexOf('\n', matcher.end());
    return output.substring(start, end < 0 ? output.length() : end);
  }

  /** The descriptors the process holds open now. */
  int descriptors() {
    try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return (int) entries.count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the descriptors of process " + pid(), e);
    }
  }

  /** The heap in use right after a full collection ({@code jcmd PID GC.run}, then {@code GC.heap_info}). */
  long heapUsedAfterGcBytes() throws IOException, InterruptedException {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher used = HEAP_USED.matcher(info);
    if (!used.find()) {
      throw new AssertionError("no heap use in jcmd GC.heap_info:\n" + info);
    }
    return Long.parseLong(used.group(1)) * 1024;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    String tool = JAVA_HOME.resolve("bin").resolve("jcmd").toString();
    Process jcmd = new ProcessBuilder(tool, Long.toString(pid()), command).redirectErrorStream(true).start();
    try {
      // jcmd prints a few lines: read once it ended (bounded), its pipe cannot fill meanwhile.
      if (!jcmd.waitFor(JCMD_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("jcmd " + pid() + " " + command + " did not finish within " + JCMD_SECONDS + " s");
      }
      String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (jcmd.exitValue() != 0) {
        throw new AssertionError("jcmd " + pid() + " " + command + " failed (" + jcmd.exitValue() + "):\n" + output);
      }
      return output;
    } finally {
      jcmd.destroyForcibly();
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.destroy();
      process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
    } finally {
      process.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      // Not readString: a line caught half-written may end inside a character.
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
