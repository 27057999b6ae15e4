package org.syncbus.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.syncbus.contract.Protocol;
import org.syncbus.testing.Await;
import org.syncbus.testing.ClusterXml;
import org.syncbus.testing.TestNode;

/**
 * The soak's cluster: {@code nodes} real processes of the packaged jar on 127.0.0.1, as an operator
 * runs them ({@code java -Dvertx.hazelcast.config=FILE -jar syncbus.jar -conf FILE -cluster
 * -cluster-host 127.0.0.1}, {@code SYNCBUS_HTTP_PORT}), with a Hazelcast file of their own (the
 * shipped one under a cluster name of this run, each node on a fixed port listed with the others',
 * see {@link ClusterXml}) so that a node restarted after a kill comes back where the others look for
 * it, and meets no other test's cluster on this machine.
 *
 * <p>Every wait re-checks what the nodes answer (health, info) on a Vert.x timer every
 * {@value #POLL_MILLIS} ms until it holds, and fails after its bound naming what was awaited and the
 * last answer. Closing the cluster kills every node it started.
 */
final class SoakCluster implements AutoCloseable {
  static final long POLL_MILLIS = 250;
  static final String PUBLISH_SECRET = "soak-publish-secret";
  static final String SUBSCRIBE_SECRET = "soak-subscribe-secret";
  /**
   * Ports taken below Linux's ephemeral range (32768–60999): a port freed by a kill is bound again
   * by the restart, and no outgoing connection may have taken it meanwhile.
   */
  private static final int PORT_MIN = 20_000;
  private static final int PORT_SPAN = 12_000;
  private static final int PORT_TRIES = 200;
  /**
   * Above what a long run publishes: every applied batch adds a record of about 60 bytes, and a
   * 20-kill run here applies some 200,000.
   */
  private static final long QUEUE_RECORDS = 2_000_000;
  private static final long QUEUE_BYTES = 256L << 20;

  private final Vertx vertx;
  private final List<SoakNode> nodes;

  private SoakCluster(Vertx vertx, List<SoakNode> nodes) {
    this.vertx = vertx;
    this.nodes = nodes;
  }

  /** Writes the nodes' files into {@code options.logDir()}; starts nothing yet ({@link #startNodes()}). */
  static SoakCluster prepare(Vertx vertx, SoakOptions options) throws IOException {
    if (!Files.isRegularFile(options.jar())) {
      throw new IOException(options.jar() + " is missing: build it with mvn -o -q -DskipTests package");
    }
    Path dir = Files.createDirectories(options.logDir());
    JsonObject config = config(options.nodes());
    Path configFile = Files.writeString(dir.resolve("syncbus.json"), config.encodePrettily());
    List<Integer> ports = freePorts(2 * options.nodes());
    List<String> members = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      members.add(TestNode.HOST + ":" + ports.get(options.nodes() + i));
    }
    String clusterName = "syncbus-soak-" + UUID.randomUUID();
    List<SoakNode> nodes = new ArrayList<>();
    for (int i = 0; i < options.nodes(); i++) {
      Path clusterXml = Files.writeString(dir.resolve("cluster" + i + ".xml"),
          ClusterXml.forNode(clusterName, TestNode.HOST, ports.get(options.nodes() + i), members, Map.of()));
      Path log = dir.resolve("node" + i + ".log");
      Files.deleteIfExists(log);
      nodes.add(new SoakNode(vertx, i, ports.get(i),
          SoakNode.command(options.nodeHeap(), clusterXml, options.jar(), configFile), log, config));
    }
    return new SoakCluster(vertx, nodes);
  }

  /** Starts every node at once; does not wait for them. */
  void startNodes() throws IOException {
    for (SoakNode node : nodes) {
      node.start();
    }
  }

  /** One keyed queue, {@code default} by {@code id}, for a cluster of {@code members}. */
  static JsonObject config(int members) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", TestNode.HOST))
        .put("cluster", new JsonObject().put("members", members))
        .put("queues", new JsonObject().put(Soak.QUEUE, new JsonObject()
            .put("pk", Soak.PK)
            .put("secrets", new JsonObject().put("publish", PUBLISH_SECRET).put("subscribe", SUBSCRIBE_SECRET))
            .put("limits", new JsonObject().put("records", QUEUE_RECORDS).put("bytes", QUEUE_BYTES))));
  }

  List<SoakNode> nodes() {
    return nodes;
  }

  /**
   * What the nodes that answered say at one moment: each one's own id, the owner it names, and the
   * seq it serves. A node that did not answer (killed, starting, not ready) is absent.
   */
  record View(Map<SoakNode, String> ids, Map<SoakNode, String> owners, Map<SoakNode, Long> seqs) {
    /** The node whose id every answering node names as owner, when they all agree on one of them; else null. */
    SoakNode agreedOwner() {
      Set<String> named = new HashSet<>(owners.values());
      if (named.size() != 1 || named.contains(null)) {
        return null;
      }
      String owner = named.iterator().next();
      return ids.entrySet().stream().filter(e -> owner.equals(e.getValue())).map(Map.Entry::getKey).findFirst()
          .orElse(null);
    }

    /** Every node of {@code expected} answered, and they agree on an owner among them. */
    boolean agreedAmong(Set<SoakNode> expected) {
      SoakNode owner = agreedOwner();
      return ids.keySet().containsAll(expected) && owner != null && expected.contains(owner);
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder();
      ids.forEach((node, id) -> text.append(text.length() == 0 ? "" : "; ").append(node).append(" is ").append(id)
          .append(", names owner ").append(owners.get(node)).append(", seq ").append(seqs.get(node)));
      return text.length() == 0 ? "no node answered info" : text.toString();
    }
  }

  /** Asks every node that runs for its info; those that fail are left out. */
  Future<View> view() {
    List<SoakNode> running = nodes.stream().filter(SoakNode::alive).toList();
    List<Future<JsonObject>> infos = running.stream().map(SoakNode::info).toList();
    return Future.join(infos).transform(done -> {
      Map<SoakNode, String> ids = new LinkedHashMap<>();
      Map<SoakNode, String> owners = new LinkedHashMap<>();
      Map<SoakNode, Long> seqs = new LinkedHashMap<>();
      for (int i = 0; i < running.size(); i++) {
        if (infos.get(i).succeeded()) {
          JsonObject info = infos.get(i).result();
          ids.put(running.get(i), info.getString(Protocol.INFO_NODE));
          owners.put(running.get(i), info.getString(Protocol.INFO_OWNER));
          seqs.put(running.get(i), info.getLong(Protocol.SEQ));
        }
      }
      return Future.succeededFuture(new View(ids, owners, seqs));
    });
  }

  /** Waits until {@code node} answers {@code /health} 200: loaded, and on a side that holds a majority. */
  void awaitHealthy(SoakNode node, Duration bound) {
    await(node + " healthy (/health 200)", bound, node::health, reply -> {
      if (!node.alive()) {
        throw new SoakException(node + " exited; its last lines:\n" + node.logTail(30));
      }
      return reply.status() == 200;
    });
  }

  /** Waits until every node of {@code members} answers info and they agree on an owner among them. */
  View awaitOwnerAmong(Set<SoakNode> members, Duration bound) {
    return await("an owner among " + members + " named by each of them", bound, this::view,
        view -> view.agreedAmong(members));
  }

  /**
   * Calls {@code attempt} every {@value #POLL_MILLIS} ms until its value is {@code accepted} (a
   * failed attempt counts as not yet), at most for {@code bound}; then fails with {@code what} and the
   * last value or error.
   */
  <T> T await(String what, Duration bound, Supplier<Future<T>> attempt, Predicate<T> accepted) {
    long deadline = System.nanoTime() + bound.toNanos();
    return Await.await(until(what, bound, deadline, attempt, accepted),
        bound.plusSeconds(SoakNode.PROBE_SECONDS + 5));
  }

  private <T> Future<T> until(String what, Duration bound, long deadline, Supplier<Future<T>> attempt,
                              Predicate<T> accepted) {
    return attempt.get().transform(result -> {
      String last;
      if (result.succeeded()) {
        try {
          if (accepted.test(result.result())) {
            return Future.succeededFuture(result.result());
          }
        } catch (SoakException fatal) {
          return Future.failedFuture(fatal);
        }
        last = String.valueOf(result.result());
      } else {
        last = String.valueOf(result.cause());
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.failedFuture(new SoakException(what + ": not reached within " + bound.toSeconds()
            + " s; last: " + last));
      }
      return vertx.timer(POLL_MILLIS, TimeUnit.MILLISECONDS)
          .compose(v -> until(what, bound, deadline, attempt, accepted));
    });
  }

  /** Each node's last lines, for failure messages. */
  String logTails(int lines) {
    StringBuilder text = new StringBuilder();
    for (SoakNode node : nodes) {
      text.append("\n--- ").append(node).append(", ").append(node.log()).append(" ---\n").append(node.logTail(lines));
    }
    return text.toString();
  }

  /** Kills every node (SIGKILL) and closes the probes; what fails to stop is reported, the rest still stopped. */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    for (SoakNode node : nodes) {
      try {
        node.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(node + ": interrupted");
      } catch (IllegalStateException e) {
        failures.add(e.getMessage());
      }
      Await.await(node.close().recover(e -> Future.succeededFuture()));
    }
    if (!failures.isEmpty()) {
      throw new SoakException("stopping the nodes: " + String.join("; ", failures));
    }
  }

  /** {@code count} distinct loopback ports, free now, below the ephemeral range. */
  private static List<Integer> freePorts(int count) throws IOException {
    List<Integer> ports = new ArrayList<>();
    InetAddress loopback = InetAddress.getByName(TestNode.HOST);
    for (int tries = 0; ports.size() < count && tries < PORT_TRIES; tries++) {
      int port = PORT_MIN + ThreadLocalRandom.current().nextInt(PORT_SPAN);
      if (ports.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, loopback)) {
        ports.add(port);
      } catch (IOException taken) {
        // in use: try another
      }
    }
    if (ports.size() < count) {
      throw new IOException("found " + ports.size() + " free loopback ports in " + PORT_TRIES + " tries, need " + count);
    }
    return ports;
  }
}
