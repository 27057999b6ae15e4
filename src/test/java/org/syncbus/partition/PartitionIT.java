package org.syncbus.partition;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;
import org.syncbus.partition.Publishers.Publish;
import org.syncbus.testing.Await;
import org.syncbus.testing.HttpReply;

/**
 * The cluster's guarantee under network faults, with three real nodes each in its own network
 * namespace ({@link Namespaces}): a 200 from {@code /update} means the batch survives, whatever the
 * network does; a side without a majority acknowledges nothing; after a split heals, every node
 * serves the one surviving history and no client is resumed on a discarded one; requests waiting
 * on an owner that left fail at once instead of at the apply timeout.
 *
 * <p>Publishers post batches of records with unique ids continuously through every node; each
 * 200 is recorded, and after the fault every node's backlog must hold every acknowledged record.
 * Faults are real: a cluster link set down (HTTP still reaches the node over its access link, so
 * the test sees what the cut-off side answers), SIGSTOP for longer than the heartbeat timeout,
 * SIGKILL.
 *
 * <p>Every wait is bounded and re-checks an observable event (a status, a log line, an answer); the
 * only fixed durations are the faults themselves (a 25 s cut, a 10 s pause). Each test starts its
 * own three nodes in the namespaces made once for the class; the namespaces and bridges are
 * removed in {@code @AfterAll}, the nodes killed after each test. Where namespaces cannot be made
 * (not root, no {@code ip}) the tests are skipped, saying why. Node logs stay in
 * {@code target/partition-it/}.
 */
class PartitionIT {
  private static final Path LOGS = Path.of("target", "partition-it");
  private static final int HEARTBEAT_TIMEOUT_SECONDS = NetCluster.MAX_NO_HEARTBEAT_SECONDS;
  /** Three JVMs starting at once on a small shared machine, then Hazelcast's join pause. */
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration PACE = Duration.ofMillis(50);
  private static final int ACKNOWLEDGED_BEFORE_FAULT = 5;
  private static final Duration ACKNOWLEDGED_WAIT = Duration.ofSeconds(30);
  private static final Duration CUT = Duration.ofSeconds(25);
  /** The cut-off side must have noticed (Hazelcast removes lost members) and refuse by then. */
  private static final Duration MINORITY_REFUSES_AFTER = Duration.ofSeconds(HEARTBEAT_TIMEOUT_SECONDS + 4);
  private static final Duration MERGE_WAIT = Duration.ofSeconds(60);
  /** Every node serves the owner's history this soon after Hazelcast reports the merge. */
  private static final Duration RESYNC = Duration.ofSeconds(10);
  private static final Duration PAUSE = Duration.ofSeconds(10);
  private static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(30);
  /** After its merge, the former owner answers as one of the cluster within this. */
  private static final Duration REJOIN_WAIT = Duration.ofSeconds(30);
  /** A publish waiting on a killed owner is answered this soon after the kill. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(HEARTBEAT_TIMEOUT_SECONDS + 2);
  private static final Duration SETTLE = Duration.ofSeconds(15);
  private static final Duration DRAIN = Duration.ofMillis(AccessClient.PUBLISH_MILLIS + 5_000);
  private static final Duration RECHECK = Duration.ofMillis(250);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
  private static final String MERGED = " is MERGED";
  /** A resume that went right: resumed on the same history, or reset to the served backlog. */
  private static final String RESUMED = "resumed";
  private static final String RESET = "reset";
  private static final int LOG_LINES = 60;

  private static Namespaces network;
  /** Why namespaces cannot be made here, or null. */
  private static String unavailable;
  private static Vertx vertx;
  private static AccessClient access;

  private NetCluster cluster;
  private Publishers publishers;
  private Follower follower;
  private final List<SeqStream> streams = new ArrayList<>();
  private Path dir;
  private long origin;

  @BeforeAll
  static void makeNetwork() throws Exception {
    try {
      network = Namespaces.create();
    } catch (Namespaces.Unavailable e) {
      // Skipped test by test (in @BeforeEach), so that each shows as skipped with the reason.
      unavailable = e.getMessage();
      System.out.println("PartitionIT skipped: " + unavailable);
      return;
    }
    vertx = Vertx.vertx();
    access = new AccessClient(vertx);
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    try {
      if (access != null) {
        access.close();
      }
      if (vertx != null) {
        Await.await(vertx.close());
      }
    } finally {
      if (network != null) {
        network.close();
      }
    }
  }

  @BeforeEach
  void name(TestInfo test) {
    Assumptions.assumeTrue(unavailable == null, () -> "network namespaces unavailable, partition test skipped: " + unavailable);
    dir = LOGS.resolve(test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis());
  }

  @AfterEach
  void stopNodes() throws Exception {
    try {
      if (follower != null) {
        follower.stop();
      }
      if (publishers != null) {
        Await.await(publishers.stop(), DRAIN);
      }
      for (SeqStream stream : streams) {
        Await.await(stream.close());
      }
    } finally {
      try {
        if (cluster != null) {
          cluster.close();
        }
      } finally {
        if (network != null) {
          network.restoreAll();
        }
      }
    }
  }

  @Test
  void aCutOffOwnerAcknowledgesNothingAndTheHealedClusterServesOneHistory() throws Exception {
    NetNode owner = startCluster();
    List<NetNode> majority = cluster.others(owner);
    // A client of the node about to be cut off: where it stands when the cluster heals is the
    // position it resumes from, on that node or another.
    follower = Await.await(Follower.start(vertx, access, owner));
    publishers = new Publishers(vertx, access, PACE).start(cluster.nodes(), 1);
    awaitAcknowledgedThroughEach(cluster.nodes());

    int mergesBefore = merges();
    long cut = System.nanoTime();
    network.cut(owner.index());
    List<HealthProbe> probes = probeHealthUntil(cut + CUT.toNanos());
    ClientView minorityClient = follower.stop();
    network.restore(owner.index());
    long restored = System.nanoTime();
    long merged = awaitMerge(mergesBefore);
    Future<Void> drained = publishers.stop();
    Convergence resynchronised = awaitIdentical(cluster.nodes(), merged + RESYNC.toNanos());
    Await.await(drained, DRAIN);
    Convergence settled = awaitIdentical(cluster.nodes(), System.nanoTime() + SETTLE.toNanos());
    Map<String, String> resumes = new LinkedHashMap<>();
    follower.problems().forEach(problem -> resumes.put("while following " + owner, problem));
    for (NetNode node : cluster.nodes()) {
      resumes.put(node.toString(), minorityClient == null ? "the follower never had a backlog" : resume(node, minorityClient, settled));
    }

    long refusingFrom = cut + MINORITY_REFUSES_AFTER.toNanos();
    List<Publish> minorityDuringCut = publishers.answered(publish -> publish.node() == owner
        && publish.sentNanos() >= refusingFrom && publish.sentNanos() < restored - TimeUnit.SECONDS.toNanos(1));
    List<Publish> majorityAcknowledgedDuringCut = publishers.answered(publish -> publish.node() != owner
        && publish.acknowledged() && publish.sentNanos() >= refusingFrom && publish.answeredNanos() < restored);
    report("cut " + owner + " for " + CUT.toSeconds() + " s; merged " + millis(merged - restored)
        + " ms after the heal; identical backlogs " + resynchronised.describe(merged) + " after the merge; follower "
        + follower.describe() + "; resumes " + resumes);

    assertAll(
        () -> assertNoAcknowledgedRecordLost(settled),
        () -> assertTrue(!minorityDuringCut.isEmpty() && minorityDuringCut.stream().allMatch(PartitionIT::refusedRetryLater),
            "the cut-off owner answers every publish 503 with Retry-After from " + MINORITY_REFUSES_AFTER.toSeconds()
                + " s after the cut until the heal (times from the cut): " + describe(minorityDuringCut, cut)),
        () -> assertTrue(!majorityAcknowledgedDuringCut.isEmpty(),
            "the majority takes the queue over and acknowledges batches during the cut: " + publishers.summary()),
        () -> assertHealthDuringCut(probes, owner, majority, refusingFrom),
        () -> assertTrue(resynchronised.identical() && resynchronised.atNanos() <= merged + RESYNC.toNanos(),
            "the three nodes serve identical backlogs within " + RESYNC.toSeconds() + " s of the merge: "
                + resynchronised.describe(merged) + " after the merge"),
        () -> assertTrue(resumes.values().stream().allMatch(outcome -> outcome.equals(RESUMED) || outcome.equals(RESET)),
            "a client of the cut-off node resumes only on the same history, else is reset: " + resumes));
  }

  @Test
  void aPausedOwnerAcknowledgesNothingAfterItsTermEnded() throws Exception {
    NetNode owner = startCluster();
    List<NetNode> survivors = cluster.others(owner);
    String ownerId = Await.await(access.info(owner)).getString("node");
    publishers = new Publishers(vertx, access, PACE).start(cluster.nodes(), 1);
    awaitAcknowledgedThroughEach(cluster.nodes());

    int mergesBefore = merges();
    long paused = System.nanoTime();
    owner.pause();
    NetNode successor = awaitNewOwner(survivors, ownerId, TAKE_OVER_WAIT);
    long tookOver = System.nanoTime();
    // The pause itself is the fault: it lasts PAUSE, well past the heartbeat timeout, whatever the
    // take-over took.
    hold(paused + PAUSE.toNanos());
    owner.resume();
    long resumed = System.nanoTime();
    // Removed from the cluster meanwhile, the former owner finds itself alone and rejoins through a
    // merge; until then it may still name the owner of before its pause.
    long merged = awaitMerge(mergesBefore);
    String notRejoined = notOneCluster(REJOIN_WAIT);
    Future<Void> drained = publishers.stop();
    Convergence resynchronised = awaitIdentical(cluster.nodes(), merged + RESYNC.toNanos());
    Await.await(drained, DRAIN);
    Convergence settled = awaitIdentical(cluster.nodes(), System.nanoTime() + SETTLE.toNanos());

    List<Publish> fromPausedOwner = publishers.answered(publish -> publish.node() == owner && publish.answeredNanos() > resumed);
    report("paused " + owner + " for " + millis(resumed - paused) + " ms; " + successor + " took over after "
        + millis(tookOver - paused) + " ms; merged " + millis(merged - resumed) + " ms after SIGCONT; identical backlogs "
        + resynchronised.describe(merged) + " after the merge");

    assertAll(
        () -> assertNoAcknowledgedRecordLost(settled),
        () -> assertTrue(!fromPausedOwner.isEmpty() && fromPausedOwner.stream()
                .allMatch(publish -> publish.acknowledged() || refusedRetryLater(publish)),
            "after SIGCONT the former owner answers 200 (stored by the new owner) or 503 with Retry-After (times from"
                + " SIGSTOP): " + describe(fromPausedOwner, paused)),
        () -> assertTrue(notRejoined.isEmpty(), "after its merge the former owner is one of the cluster: " + notRejoined),
        () -> assertTrue(resynchronised.identical() && resynchronised.atNanos() <= merged + RESYNC.toNanos(),
            "the three nodes serve identical backlogs within " + RESYNC.toSeconds() + " s of the paused node's merge: "
                + resynchronised.describe(merged) + " after the merge"));
  }

  @Test
  void publishesWaitingOnAKilledOwnerAreRefusedOnceItIsRemoved() throws Exception {
    NetNode owner = startCluster();
    List<NetNode> survivors = cluster.others(owner);
    String ownerId = Await.await(access.info(owner)).getString("node");
    publishers = new Publishers(vertx, access, PACE).start(survivors, 2);
    awaitAcknowledgedThroughEach(survivors);

    long killed = System.nanoTime();
    owner.kill();
    NetNode successor = awaitNewOwner(survivors, ownerId, TAKE_OVER_WAIT);
    long tookOver = System.nanoTime();
    // Publishers keep sending through the window in which the owner may still be a member.
    hold(killed + TimeUnit.SECONDS.toNanos(HEARTBEAT_TIMEOUT_SECONDS));
    Await.await(publishers.stop(), DRAIN);
    Convergence settled = awaitIdentical(survivors, System.nanoTime() + SETTLE.toNanos());

    long windowEnd = killed + TimeUnit.SECONDS.toNanos(HEARTBEAT_TIMEOUT_SECONDS - 1);
    List<Publish> waiting = publishers.answered(publish -> publish.answeredNanos() > killed && publish.sentNanos() < windowEnd);
    List<Publish> late = waiting.stream()
        .filter(publish -> publish.answeredNanos() > killed + FAIL_FAST.toNanos()
            || !(publish.acknowledged() || refusedRetryLater(publish)))
        .toList();
    report("killed " + owner + "; " + successor + " took over after " + millis(tookOver - killed) + " ms; "
        + waiting.size() + " publishes waiting at the kill or sent in the next " + (HEARTBEAT_TIMEOUT_SECONDS - 1)
        + " s, slowest answered " + waiting.stream().mapToLong(publish -> millis(publish.answeredNanos() - killed)).max().orElse(-1)
        + " ms after the kill");

    assertAll(
        () -> assertNoAcknowledgedRecordLost(settled),
        () -> assertTrue(survivors.stream().allMatch(node -> waiting.stream().anyMatch(publish -> publish.node() == node)),
            "each survivor was sent publishes while the owner was dying (times from the kill): " + describe(waiting, killed)),
        () -> assertTrue(late.isEmpty(), "publishes waiting on the killed owner are answered 200, or 503 with "
            + "Retry-After, within " + FAIL_FAST.toSeconds() + " s of the kill (times from the kill): " + describe(late, killed)));
  }

  // ---- the scenario's steps

  /** Starts three nodes and waits until they form one cluster; the queue's owner. */
  private NetNode startCluster() throws Exception {
    origin = System.nanoTime();
    cluster = NetCluster.start(network, dir);
    NetNode owner;
    try {
      owner = awaitOneCluster(START);
    } catch (AssertionError e) {
      throw new AssertionError("the nodes did not form one cluster" + Namespaces.bridgeHint() + ": " + e.getMessage(), e);
    }
    report("one cluster after " + millis(System.nanoTime() - origin) + " ms, owner " + owner);
    return owner;
  }

  /**
   * Waits until every node answers {@code /health} 200 and names the same owner in
   * {@code /queues/default/info}, one of the three; that owner.
   */
  private NetNode awaitOneCluster(Duration bound) throws Exception {
    return waitFor("one cluster of three nodes naming the same owner", bound, () -> {
      Map<String, NetNode> byId = new LinkedHashMap<>();
      List<String> owners = new ArrayList<>();
      for (NetNode node : cluster.nodes()) {
        HttpReply health = Await.await(access.health(node));
        if (health.status() != 200) {
          throw new AssertionError(node + " /health " + health);
        }
        JsonObject info = Await.await(access.info(node));
        byId.put(info.getString("node"), node);
        owners.add(info.getString("owner"));
      }
      NetNode owner = byId.get(owners.get(0));
      if (owner == null || owners.stream().distinct().count() != 1) {
        throw new AssertionError("owners named " + owners + ", nodes " + byId.keySet());
      }
      return owner;
    });
  }

  /** Empty when the three nodes form one cluster within {@code bound} ({@link #awaitOneCluster}), else why not. */
  private String notOneCluster(Duration bound) throws Exception {
    try {
      awaitOneCluster(bound);
      return "";
    } catch (AssertionError e) {
      return e.getMessage();
    }
  }

  /** Waits until every one of {@code nodes} names the same owner, one of them and not {@code former}. */
  private NetNode awaitNewOwner(List<NetNode> nodes, String former, Duration bound) throws Exception {
    return waitFor("a new owner among " + nodes, bound, () -> {
      Map<String, NetNode> byId = new LinkedHashMap<>();
      List<String> owners = new ArrayList<>();
      for (NetNode node : nodes) {
        JsonObject info = Await.await(access.info(node));
        byId.put(info.getString("node"), node);
        owners.add(info.getString("owner"));
      }
      NetNode owner = byId.get(owners.get(0));
      if (owner == null || owners.stream().distinct().count() != 1 || owners.get(0).equals(former)) {
        throw new AssertionError("owners named " + owners + " (former " + former + ")");
      }
      return owner;
    });
  }

  /** Waits until publishes through each of {@code nodes} have been acknowledged a few times. */
  private void awaitAcknowledgedThroughEach(List<NetNode> nodes) throws Exception {
    waitFor(ACKNOWLEDGED_BEFORE_FAULT + " acknowledged publishes through each node", ACKNOWLEDGED_WAIT, () ->
        nodes.stream().allMatch(node -> publishers.acknowledged(node) >= ACKNOWLEDGED_BEFORE_FAULT)
            ? Boolean.TRUE : fail("so far " + publishers.summary()));
  }

  private record HealthProbe(NetNode node, long nanos, int status, Boolean quorum, String body) {}

  /** Probes every node's {@code /health} every {@link #PROBE_INTERVAL} until {@code endNanos}. */
  private List<HealthProbe> probeHealthUntil(long endNanos) {
    List<HealthProbe> probes = new ArrayList<>();
    long rounds = (endNanos - System.nanoTime()) / PROBE_INTERVAL.toNanos() + 1;
    for (long round = 0; round < rounds && System.nanoTime() < endNanos; round++) {
      long started = System.nanoTime();
      for (NetNode node : cluster.nodes()) {
        long sent = System.nanoTime();
        try {
          HttpReply reply = Await.await(access.health(node), Duration.ofMillis(AccessClient.PROBE_MILLIS + 1_000));
          Boolean quorum = null;
          try {
            quorum = new JsonObject(reply.body()).getBoolean("quorum");
          } catch (RuntimeException notJson) {
            // reported through the body
          }
          probes.add(new HealthProbe(node, sent, reply.status(), quorum, reply.body()));
        } catch (AssertionError unanswered) {
          probes.add(new HealthProbe(node, sent, 0, null, unanswered.getMessage()));
        }
      }
      hold(Math.min(endNanos, started + PROBE_INTERVAL.toNanos()));
    }
    return probes;
  }

  /** Waits until a node's output says Hazelcast merged it into the other side (its MERGED event); when that was seen. */
  private long awaitMerge(int mergesBefore) throws Exception {
    waitFor("Hazelcast reporting a merge (\"" + MERGED.strip() + "\" in a node's log)", MERGE_WAIT, () -> merges() > mergesBefore ? Boolean.TRUE : fail("no merge yet"));
    return System.nanoTime();
  }

  private int merges() {
    return cluster.nodes().stream().mapToInt(node -> node.occurrences(MERGED)).sum();
  }

  /**
   * The nodes' backlogs as fresh {@code format=seq} clients see them, compared until they are equal
   * (epoch, seq and records) or {@code deadlineNanos}.
   */
  private Convergence awaitIdentical(List<NetNode> nodes, long deadlineNanos) {
    Map<NetNode, ClientView> views = new LinkedHashMap<>();
    String difference = "not compared";
    long attempts = Math.max(1, (deadlineNanos - System.nanoTime()) / RECHECK.toNanos() + 1);
    for (long attempt = 0; attempt < attempts; attempt++) {
      long asked = System.nanoTime();
      views.clear();
      List<String> refusals = new ArrayList<>();
      for (NetNode node : nodes) {
        try {
          views.put(node, backlog(node));
        } catch (AssertionError e) {
          refusals.add(e.getMessage());
        }
      }
      ClientView reference = views.isEmpty() ? null : views.values().iterator().next();
      List<String> apart = views.entrySet().stream().filter(view -> !view.getValue().sameAs(reference))
          .map(view -> view.getKey() + " " + view.getValue().difference(reference)).toList();
      if (refusals.isEmpty() && apart.isEmpty()) {
        return new Convergence(true, asked, Map.copyOf(views), "");
      }
      List<String> differences = new ArrayList<>(refusals);
      differences.addAll(apart);
      difference = String.join("; ", differences) + (apart.isEmpty() ? "" : " (compared with " + views.keySet().iterator().next() + ")");
      if (System.nanoTime() >= deadlineNanos) {
        break;
      }
      hold(Math.min(deadlineNanos, System.nanoTime() + RECHECK.toNanos()));
    }
    return new Convergence(false, System.nanoTime(), Map.copyOf(views), difference);
  }

  /** The backlog {@code node} serves a new client: the first line of a fresh {@code format=seq} poll. */
  private ClientView backlog(NetNode node) {
    try {
      SeqStream stream = Await.await(access.openSeq(node, null));
      try {
        JsonObject first = Await.await(stream.first());
        if (stream.status() != 200) {
          throw new AssertionError("refused: " + stream.status() + " " + ClientView.abbreviated(first));
        }
        return ClientView.ofSnapshot(first);
      } finally {
        Await.await(stream.close());
      }
    } catch (AssertionError e) {
      throw new AssertionError("the backlog of " + node + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the nodes served one backlog, when they were asked the time they all did, and each
   * node's last view (for the loss check even when they differ).
   */
  private record Convergence(boolean identical, long atNanos, Map<NetNode, ClientView> views, String difference) {
    String describe(long since) {
      return identical ? "equal " + millis(atNanos - since) + " ms" : "still different " + millis(atNanos - since)
          + " ms (" + difference + ")";
    }
  }

  /**
   * Resumes {@code client} (a client of the cut-off node, at its last position) on {@code node}:
   * {@code "resumed"} must lead, through the batches that follow, to exactly the backlog the
   * cluster serves (the client was on the same history); {@code "reset"} must carry that backlog.
   * {@value #RESUMED} or {@value #RESET} when it did, else what went wrong.
   */
  private String resume(NetNode node, ClientView client, Convergence settled) {
    ClientView served = settled.views().get(node);
    if (served == null) {
      return "no backlog of " + node + " to compare with";
    }
    try {
      SeqStream stream = open(node, client.position());
      JsonObject first = Await.await(stream.first());
      if (stream.status() != 200) {
        return "status " + stream.status() + " " + first;
      }
      if (first.getBoolean(ClientView.RESUMED, false)) {
        if (served.seq() > client.seq()) {
          Await.await(stream.line(line -> line.getLong("seq", -1L) >= served.seq()));
        }
        ClientView resumed = client.copy();
        List<JsonObject> lines = stream.lines();
        for (JsonObject line : lines.subList(1, lines.size())) {
          if (resumed.seq() < served.seq()) {
            resumed = resumed.next(line);
          }
        }
        return resumed.sameAs(served) ? RESUMED : "resumed at " + client.position() + " onto another history: "
            + resumed.difference(served);
      }
      if (first.getBoolean(ClientView.RESET, false)) {
        ClientView reset = ClientView.ofSnapshot(first);
        return reset.sameAs(served) ? RESET : "reset to another backlog than served: " + reset.difference(served);
      }
      return "neither resumed nor reset: " + ClientView.abbreviated(first);
    } catch (AssertionError e) {
      return e.getMessage();
    }
  }

  // ---- checks

  private void assertNoAcknowledgedRecordLost(Convergence settled) {
    Map<String, Publish> acknowledged = publishers.acknowledgedIds();
    List<String> losses = new ArrayList<>();
    Set<Publish> lost = new LinkedHashSet<>();
    for (NetNode node : cluster.nodes()) {
      ClientView view = settled.views().get(node);
      if (view == null) {
        continue; // a killed node, or one that did not answer: reported by the convergence check
      }
      List<String> missing = acknowledged.keySet().stream().filter(id -> !view.records().containsKey(id)).toList();
      if (!missing.isEmpty()) {
        losses.add(node + " lacks " + missing.size());
        missing.stream().map(acknowledged::get).forEach(lost::add);
      }
    }
    assertTrue(!acknowledged.isEmpty() && losses.isEmpty() && !settled.views().isEmpty(),
        "every acknowledged record (" + acknowledged.size() + ") is in every node's backlog: " + losses
            + (lost.isEmpty() ? "" : "; lost batches (times from the start) " + describe(List.copyOf(lost), origin))
            + (settled.views().isEmpty() ? "; no backlog could be read: " + settled.difference() : ""));
  }

  private static void assertHealthDuringCut(List<HealthProbe> probes, NetNode minority, List<NetNode> majority,
                                            long refusingFrom) {
    List<HealthProbe> minorityProbes = probes.stream()
        .filter(probe -> probe.node() == minority && probe.nanos() >= refusingFrom).toList();
    List<Executable> checks = new ArrayList<>();
    checks.add(() -> assertTrue(!minorityProbes.isEmpty() && minorityProbes.stream()
            .allMatch(probe -> probe.status() == 503 && Boolean.FALSE.equals(probe.quorum())),
        "the cut-off node's /health answers 503 with \"quorum\": false: " + summarise(minorityProbes)));
    for (NetNode node : majority) {
      HealthProbe last = probes.stream().filter(probe -> probe.node() == node).reduce((a, b) -> b).orElse(null);
      checks.add(() -> assertTrue(last != null && last.status() == 200 && Boolean.TRUE.equals(last.quorum()),
          "the majority's " + node + " /health answers 200 with \"quorum\": true at the end of the cut: "
              + (last == null ? "no probe" : summarise(List.of(last)))));
    }
    assertAll(checks);
  }

  private static String summarise(List<HealthProbe> probes) {
    Map<String, Long> counts = probes.stream().collect(Collectors.groupingBy(
        probe -> probe.status() + " quorum=" + probe.quorum(), LinkedHashMap::new, Collectors.counting()));
    return counts + (probes.isEmpty() ? "" : ", last body " + abbreviate(probes.get(probes.size() - 1).body()));
  }

  private static boolean refusedRetryLater(Publish publish) {
    return publish.status() == 503 && publish.retryAfter() != null;
  }

  /** Counts by status, and the first few of each outcome. */
  private static String describe(List<Publish> publishes, long origin) {
    Map<String, List<Publish>> byOutcome = publishes.stream().collect(Collectors.groupingBy(
        publish -> "node" + publish.node().index() + " " + publish.status() + (publish.retryAfter() == null ? "" : "+Retry-After"),
        LinkedHashMap::new, Collectors.toList()));
    if (byOutcome.isEmpty()) {
      return "none";
    }
    return byOutcome.entrySet().stream().map(entry -> entry.getKey() + " ×" + entry.getValue().size() + " ["
        + entry.getValue().stream().limit(3).map(publish -> publish.describe(origin)).collect(Collectors.joining("; ")) + "]")
        .collect(Collectors.joining(", "));
  }

  // ---- waiting, bounded

  /**
   * Calls {@code attempt} until it returns a value, re-checking every {@link #RECHECK} for at most
   * {@code bound}; an attempt says "not yet" by throwing. A node that dies meanwhile (other than one
   * the test killed) fails at once, with the nodes' logs.
   */
  private <T> T waitFor(String what, Duration bound, Callable<T> attempt) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    String last = "no attempt";
    long attempts = bound.toNanos() / RECHECK.toNanos() + 1;
    for (long i = 0; i < attempts && System.nanoTime() < deadline; i++) {
      for (NetNode node : cluster.nodes()) {
        if (!node.alive() && !node.killed()) {
          throw new AssertionError(node + " died while waiting for " + what + ":" + cluster.logTails(LOG_LINES));
        }
      }
      try {
        T value = attempt.call();
        if (value != null) {
          return value;
        }
      } catch (AssertionError | RuntimeException e) {
        last = String.valueOf(e.getMessage());
      }
      hold(Math.min(deadline, System.nanoTime() + RECHECK.toNanos()));
    }
    throw new AssertionError("not reached within " + bound.toSeconds() + " s: " + what + "; last: " + last
        + cluster.logTails(LOG_LINES));
  }

  /** Lets time pass until {@code nanos} on a Vert.x timer: for the faults' fixed durations and between re-checks. */
  private static void hold(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime());
    if (millis > 0) {
      Await.await(vertx.timer(millis), Duration.ofMillis(millis + 5_000));
    }
  }

  private static <T> T fail(String message) {
    throw new AssertionError(message);
  }

  private SeqStream open(NetNode node, String since) {
    SeqStream stream = Await.await(access.openSeq(node, since));
    streams.add(stream);
    return stream;
  }

  private void report(String line) {
    System.out.println("PartitionIT " + millis(System.nanoTime() - origin) + " ms: " + line);
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static String abbreviate(String text) {
    return text == null ? "" : text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
