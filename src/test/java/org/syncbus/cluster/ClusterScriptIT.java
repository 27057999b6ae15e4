package org.syncbus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster} as an operator uses it to try a fail-over (README, "Cluster"): three
 * nodes; one killed, the others keep running and keep a majority; {@code scripts/cluster restart}
 * brings it back into the cluster; stopping the script stops every node. Nodes on loopback, on
 * ports and a Hazelcast cluster name of the test's own; every process stopped by its PID.
 */
class ClusterScriptIT {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> processes = new ArrayList<>();
  private int httpBase;
  private int hazelcastBase;

  @AfterEach
  void stopEverything() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
    }
    for (int i = 0; i < 3; i++) {
      Path pidFile = dir.resolve("node" + i + ".pid");
      if (Files.exists(pidFile)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private ProcessBuilder script(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("scripts/cluster"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("SYNCBUS_CLUSTER_DIR", dir.toString());
    env.put("SYNCBUS_HTTP_PORT", Integer.toString(httpBase));
    env.put("SYNCBUS_HAZELCAST_PORT", Integer.toString(hazelcastBase));
    env.put("JAVA_OPTS", "-Dvertx.hazelcast.config=" + clusterXml());
    return builder;
  }

  private Path clusterXml() throws IOException {
    Path file = dir.resolve("cluster.xml");
    if (!Files.exists(file)) {
      Files.writeString(file, Files.readString(Path.of("conf", "cluster.xml")).replace(
          "<cluster-name>syncbus</cluster-name>", "<cluster-name>syncbus-script-" + UUID.randomUUID() + "</cluster-name>"));
    }
    return file;
  }

  private Path config() throws IOException {
    return Files.writeString(dir.resolve("syncbus.json"), """
        {"http": {"host": "127.0.0.1"},
         "queues": {"default": {"pk": "id", "secrets": {"publish": "script-publish-secret", "subscribe": "script-subscribe-secret"}}}}
        """);
  }

  /** Runs a {@code scripts/cluster} command to its end (bounded); its status and output. */
  private String command(int expectedStatus, String... args) throws Exception {
    Process process = script(args).start();
    processes.add(process);
    assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "scripts/cluster " + String.join(" ", args) + " did not end");
    String output = new String(process.getInputStream().readAllBytes());
    assertEquals(expectedStatus, process.exitValue(), output);
    return output;
  }

  private long pid(int node) throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("node" + node + ".pid")).trim());
  }

  private int health(int node) throws InterruptedException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (httpBase + node) + "/health"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException notListening) {
      return 0;
    }
  }

  /** Waits (bounded) until {@code node} answers /health 200 (ready, with a majority). */
  private void awaitHealthy(int node, Process cluster) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (health(node) != 200) {
      assertTrue(cluster.isAlive(), "scripts/cluster exited: " + log(node));
      assertTrue(System.nanoTime() < deadline, "node " + node + " not healthy in time: " + log(node));
      cluster.waitFor(250, TimeUnit.MILLISECONDS); // returns at once should the script exit
    }
  }

  private String log(int node) throws IOException {
    Path log = dir.resolve("node" + node + ".log");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  @Test
  void survivorsKeepRunningWhenANodeDiesAndTheNodeRejoinsOnRestart() throws Exception {
    httpBase = freeBase();
    hazelcastBase = freeBase();
    Process cluster = script("3", "-conf", config().toString())
        .redirectOutput(dir.resolve("script.out").toFile()).start();
    processes.add(cluster);
    for (int node = 0; node < 3; node++) {
      awaitHealthy(node, cluster);
    }
    long killed = pid(1);

    command(0, "kill", "1");

    assertFalse(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false), "node 1 was killed");
    assertTrue(cluster.isAlive(), "the script keeps watching the survivors");
    awaitHealthy(0, cluster);
    awaitHealthy(2, cluster);
    assertTrue(ProcessHandle.of(pid(0)).isPresent() && ProcessHandle.of(pid(2)).isPresent(), "the survivors run");

    String restarted = command(0, "restart", "1");
    assertTrue(restarted.contains("node 1 answers"), restarted);
    assertTrue(pid(1) != killed, "a new process");
    awaitHealthy(1, cluster);
    assertTrue(command(0, "status").contains("node 1: running"));

    List<Long> nodes = List.of(pid(0), pid(1), pid(2));
    cluster.destroy(); // SIGTERM: the script stops every node, gracefully
    assertTrue(cluster.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "scripts/cluster did not stop");
    for (int node = 0; node < nodes.size(); node++) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!gone(nodes.get(node))) {
        assertTrue(System.nanoTime() < deadline, "node " + node + " still runs after the script stopped; the script said: "
            + Files.readString(dir.resolve("script.out")) + "\nthe node: " + log(node));
        Thread.onSpinWait();
        cluster.waitFor(100, TimeUnit.MILLISECONDS); // the script has exited: a bounded pause between looks
      }
    }
  }

  /**
   * Whether process {@code pid} has ended: gone, or a zombie (a node the script started ends as
   * one until whoever adopted it reaps it, which this machine's init may do late).
   */
  private static boolean gone(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return true;
    }
    String text;
    try {
      text = Files.readString(stat);
    } catch (IOException vanished) {
      return true;
    }
    return text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
  }

  /** A base port with the two after it free too. */
  private static int freeBase() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base;
      try (ServerSocket socket = new ServerSocket(0)) {
        base = socket.getLocalPort();
      }
      if (base + 2 < 65536 && free(base) && free(base + 1) && free(base + 2)) {
        return base;
      }
    }
    throw new IllegalStateException("no three free ports in a row");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
