package org.syncbus.partition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Three machines on this one, made of Linux network namespaces ({@code ip netns}), each with two
 * links: the <em>cluster link</em> (Hazelcast and the event bus) and the <em>access link</em>
 * (HTTP, reached by the test from the root namespace). Cutting a node's cluster link is a network
 * partition that leaves its HTTP port reachable, so the test can watch what each side answers.
 *
 * <pre>
 *   root namespace (the test)                       namespace sbp-SUFFIX-I (node I)
 *   bridge sbpcSUFFIX (no address)  -- sbpcSUFFIXI == cl0 10.77.R.I/24   cluster link
 *   bridge sbpaSUFFIX 10.78.R.254   -- sbpaSUFFIXI == ac0 10.78.R.I/24   access link
 * </pre>
 *
 * <p>Names carry a random suffix and the subnets a random third octet R not used on this host, so
 * that runs in other worktrees at the same time do not meet. A cut sets the root side of the
 * node's cluster veth down: the node's own interface keeps its address and routes, as a host
 * whose cable is pulled does, so connections hang rather than fail at once.
 *
 * <p>Every {@code ip} command is bounded ({@value #IP_SECONDS} s). {@link #close()} removes
 * everything this instance made, whatever state it is in: the processes still inside the
 * namespaces are killed by their PID first (else a deleted namespace lives on with them), then
 * the namespaces (which takes their veths along) and the bridges. A JVM shutdown hook does the
 * same should the test JVM be stopped before {@code @AfterAll}.
 */
final class Namespaces implements AutoCloseable {
  static final int NODES = 3;
  private static final long IP_SECONDS = 10;
  private static final long KILL_SECONDS = 10;
  private static final String PREFIX = "sbp";
  private static final Path BRIDGE_NF = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");

  /** Namespaces cannot be made here (not root, no {@code ip}, no kernel support): the test is skipped. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  private final String suffix;
  private final int subnet;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> links = new ArrayList<>();
  private final Thread cleanup = new Thread(this::removeQuietly, "partition-it-network-cleanup");
  private boolean closed;

  private Namespaces(String suffix, int subnet) {
    this.suffix = suffix;
    this.subnet = subnet;
  }

  /**
   * Makes the three namespaces and both links. Throws {@link Unavailable} when the first
   * namespace cannot be made; any later failure is an error (and what was made is removed).
   */
  static Namespaces create() throws Unavailable, IOException, InterruptedException {
    Result probe;
    try {
      probe = run(List.of("ip", "-o", "-4", "addr", "show"));
    } catch (IOException e) {
      throw new Unavailable("cannot run ip (iproute2): " + e.getMessage());
    }
    if (probe.status() != 0) {
      throw new Unavailable("ip -4 addr show failed: " + probe.output());
    }
    String suffix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    Namespaces network = new Namespaces(String.format(Locale.ROOT, "%6s", suffix).replace(' ', '0'), freeSubnet(probe.output()));
    Runtime.getRuntime().addShutdownHook(network.cleanup);
    String first = network.namespace(1);
    Result made = run(List.of("ip", "netns", "add", first));
    if (made.status() != 0) {
      network.close();
      throw new Unavailable("ip netns add " + first + " failed (the test needs root and network namespaces): "
          + made.output().strip());
    }
    network.namespaces.add(first);
    try {
      network.build();
      return network;
    } catch (IOException | RuntimeException | Error e) {
      network.close();
      throw e;
    }
  }

  /** A third octet for 10.77.R.0/24 and 10.78.R.0/24 that no address on this host uses yet. */
  private static int freeSubnet(String addresses) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 100; attempt++) {
      int candidate = 1 + random.nextInt(250);
      if (!addresses.contains(" 10.77." + candidate + ".") && !addresses.contains(" 10.78." + candidate + ".")) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free 10.77.R.0/24 and 10.78.R.0/24 subnets on this host after 100 tries");
  }

  private void build() throws IOException, InterruptedException {
    for (int i = 2; i <= NODES; i++) {
      ip("netns", "add", namespace(i));
      namespaces.add(namespace(i));
    }
    String clusterBridge = PREFIX + "c" + suffix;
    String accessBridge = PREFIX + "a" + suffix;
    for (String bridge : List.of(clusterBridge, accessBridge)) {
      ip("link", "add", bridge, "type", "bridge", "forward_delay", "0");
      links.add(bridge);
    }
    ip("addr", "add", "10.78." + subnet + ".254/24", "dev", accessBridge);
    ip("link", "set", clusterBridge, "up");
    ip("link", "set", accessBridge, "up");
    for (int i = 1; i <= NODES; i++) {
      ip("-n", namespace(i), "link", "set", "lo", "up");
      plug(i, clusterVeth(i), clusterBridge, "cl0", clusterAddress(i));
      plug(i, accessVeth(i), accessBridge, "ac0", accessAddress(i));
    }
  }

  /** A veth pair from {@code bridge} into node {@code i}'s namespace, where it is {@code inside} with {@code address}. */
  private void plug(int i, String veth, String bridge, String inside, String address) throws IOException, InterruptedException {
    ip("link", "add", veth, "type", "veth", "peer", "name", inside, "netns", namespace(i));
    links.add(veth);
    ip("link", "set", veth, "master", bridge);
    ip("link", "set", veth, "up");
    ip("-n", namespace(i), "addr", "add", address + "/24", "dev", inside);
    ip("-n", namespace(i), "link", "set", inside, "up");
  }

  String namespace(int node) {
    return PREFIX + "-" + suffix + "-" + node;
  }

  private String clusterVeth(int node) {
    return PREFIX + "c" + suffix + node;
  }

  private String accessVeth(int node) {
    return PREFIX + "a" + suffix + node;
  }

  /** Node {@code node}'s address on the cluster link (Hazelcast, the event bus). */
  String clusterAddress(int node) {
    return "10.77." + subnet + "." + node;
  }

  /** Node {@code node}'s address on the access link, reachable from the test (HTTP). */
  String accessAddress(int node) {
    return "10.78." + subnet + "." + node;
  }

  /** {@code command} run inside node {@code node}'s namespace ({@code ip netns exec} execs it: same PID). */
  List<String> inside(int node, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
    full.addAll(command);
    return full;
  }

  /** Cuts node {@code node}'s cluster link; its access link stays. */
  void cut(int node) throws IOException, InterruptedException {
    ip("link", "set", clusterVeth(node), "down");
  }

  /** Restores node {@code node}'s cluster link. */
  void restore(int node) throws IOException, InterruptedException {
    ip("link", "set", clusterVeth(node), "up");
  }

  /** Restores every cluster link (after a test that may have stopped with one cut). */
  void restoreAll() throws IOException, InterruptedException {
    for (int i = 1; i <= NODES; i++) {
      restore(i);
    }
  }

  /**
   * What to check when nodes cannot reach each other over the bridge: with {@code br_netfilter}
   * loaded and {@code bridge-nf-call-iptables} on, the host's FORWARD chain (often DROP where
   * Docker runs) filters bridged traffic.
   */
  static String bridgeHint() {
    try {
      if (Files.exists(BRIDGE_NF) && Files.readString(BRIDGE_NF).strip().equals("1")) {
        return " (if the nodes cannot reach each other: " + BRIDGE_NF + " is 1, so the host firewall's FORWARD chain"
            + " filters bridged traffic; let it pass, or set it to 0)";
      }
    } catch (IOException e) {
      return " (cannot read " + BRIDGE_NF + ": " + e.getMessage() + ")";
    }
    return "";
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it finds this instance closed
    }
    remove();
  }

  private synchronized void removeQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      remove();
    } catch (IOException | InterruptedException e) {
      System.err.println("partition IT: removing the test network failed: " + e);
    }
  }

  /** Kills what runs inside, then deletes the namespaces and links; reports what could not be removed. */
  private void remove() throws IOException, InterruptedException {
    List<String> left = new ArrayList<>();
    for (String namespace : namespaces) {
      killInside(namespace);
      Result deleted = run(List.of("ip", "netns", "del", namespace));
      if (deleted.status() != 0) {
        left.add(namespace + " (" + deleted.output().strip() + ")");
      }
    }
    for (String link : links) {
      // A veth went with its namespace; the bridges, and veths whose peer never moved, are deleted here.
      Result deleted = run(List.of("ip", "link", "del", link));
      if (deleted.status() != 0 && linkExists(link)) {
        left.add(link + " (" + deleted.output().strip() + ")");
      }
    }
    if (!left.isEmpty()) {
      throw new IOException("could not remove the test network: " + String.join(", ", left));
    }
  }

  private static boolean linkExists(String link) throws IOException, InterruptedException {
    return run(List.of("ip", "link", "show", link)).status() == 0;
  }

  private static void killInside(String namespace) throws IOException, InterruptedException {
    Result pids = run(List.of("ip", "netns", "pids", namespace));
    if (pids.status() != 0) {
      return;
    }
    List<ProcessHandle> killed = new ArrayList<>();
    for (String line : pids.output().split("\\s+")) {
      if (line.isBlank()) {
        continue;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.strip()));
      process.ifPresent(handle -> {
        handle.destroyForcibly();
        killed.add(handle);
      });
    }
    for (ProcessHandle handle : killed) {
      try {
        handle.onExit().get(KILL_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        System.err.println("partition IT: process " + handle.pid() + " in " + namespace + " still there after SIGKILL");
      }
    }
  }

  private void ip(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(arguments));
    Result result = run(command);
    if (result.status() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + result.status() + "): " + result.output().strip());
    }
  }

  private record Result(int status, String output) {}

  /** Runs {@code command} to its end, at most {@value #IP_SECONDS} s; its status and output (stdout and stderr). */
  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      // The commands print a few lines at most: read once ended (bounded), the pipe cannot fill meanwhile.
      if (!process.waitFor(IP_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException(String.join(" ", command) + " did not finish within " + IP_SECONDS + " s");
      }
      return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
