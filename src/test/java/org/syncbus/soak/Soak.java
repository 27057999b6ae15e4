package org.syncbus.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.syncbus.contract.Protocol;
import org.syncbus.soak.SoakReport.Comparison;
import org.syncbus.soak.SoakReport.Kill;
import org.syncbus.testing.Await;

/**
 * The exactly-once soak ({@code scripts/soak}, README "Exactly once, proven by a soak"): a cluster
 * of real nodes under continuous publishing while its queue's owner is SIGKILLed again and again,
 * then a full comparison of what the publishers were told with what the cluster holds.
 *
 * <h2>One run</h2>
 * <ol>
 *   <li>Start the nodes ({@link SoakCluster}), wait until each is healthy and all name one owner.</li>
 *   <li>Start the publishers ({@link SoakPublishers}): one batch in flight each, retried with its
 *       key through its node's client, then through the other nodes, until given up.</li>
 *   <li>Kill loop, {@code --kills} times: find the owner (every node names it in
 *       {@code /queues/default/info}); take it out of the publishers' rotation; SIGKILL it; wait
 *       until the survivors agree on a new owner among them and a batch is acknowledged again;
 *       restart it on the same ports; wait until it is healthy (which needs a majority: it rejoined)
 *       and every node names the same owner; put it back; let the publishers publish for
 *       {@code --between-ms} and {@code --acks-between} acknowledged batches.</li>
 *   <li>Stop the publishers and wait for every batch in flight to have its outcome; wait until every
 *       node serves the same seq and it has not moved for {@link #QUIET} (longer than the owner's
 *       apply time-out: a request an edge still held is applied or dropped by then).</li>
 *   <li>Read every node's backlog ({@code /poll?format=seq}: epoch, seq and records at one instant)
 *       and compare (see {@link Comparison}).</li>
 * </ol>
 * Every wait is bounded ({@code --wait-ms}); a run that cannot go on is aborted with the reason and
 * the nodes' last log lines. Every node started is killed at the end, also on failure and on Ctrl-C.
 */
public final class Soak {
  static final String QUEUE = "default";
  static final String PK = "id";
  static final Duration QUIET = Duration.ofSeconds(12);
  private static final Pattern RECORD_ID = Pattern.compile("p(\\d+)-(\\d+)");
  private static final int LOG_LINES = 40;
  private static final int LOST_EXAMPLES = 10;
  private static final long SNAPSHOT_SECONDS = 120;
  /**
   * Vert.x logs a connection reset that no handler took at SEVERE; a killed node resets every
   * connection it had, which is what the soak does on purpose. Kept referenced so the level holds.
   */
  private static final Logger CONNECTION_LOG = Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");

  private final SoakOptions options;
  private final PrintStream progress;
  private final AtomicReference<SoakCluster> running = new AtomicReference<>();

  Soak(SoakOptions options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  public static void main(String[] args) {
    SoakOptions options;
    try {
      if (List.of(args).contains("--help")) {
        System.out.print(SoakOptions.USAGE);
        return;
      }
      options = SoakOptions.parse(List.of(args));
    } catch (SoakOptions.UsageException | IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.print(SoakOptions.USAGE);
      System.exit(2);
      return;
    }
    CONNECTION_LOG.setLevel(Level.OFF);
    Soak soak = new Soak(options, System.err);
    Thread stopNodes = new Thread(soak::stopNodes, "soak-stop-nodes");
    Runtime.getRuntime().addShutdownHook(stopNodes);
    SoakReport report = soak.run();
    System.out.println(report.summary());
    System.err.print(report.details());
    report.problems().forEach(problem -> System.err.println("soak: FAILED: " + problem));
    System.exit(report.passed() ? 0 : 1);
  }

  /** Kills the nodes still running (Ctrl-C during a run). */
  private void stopNodes() {
    SoakCluster cluster = running.getAndSet(null);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One soak, start to comparison; never throws: an aborted run is a report that says why. */
  SoakReport run() {
    long start = System.nanoTime();
    List<Kill> kills = new ArrayList<>();
    SoakLedger ledger = new SoakLedger(options.publishers());
    SoakLedger.Tally tally = null;
    Comparison comparison = null;
    String aborted = null;
    Vertx vertx = Vertx.vertx();
    SoakCluster cluster = null;
    SoakPublishers publishers = null;
    try {
      cluster = SoakCluster.prepare(vertx, options);
      running.set(cluster);
      cluster.startNodes();
      awaitCluster(cluster);
      publishers = new SoakPublishers(vertx, cluster.nodes(), options, ledger);
      publishers.start();
      ledger.awaitAcknowledged(options.acksBetween(), System.nanoTime() + options.between().toNanos(), options.waitBound(),
          "publishing before the first kill");
      for (int k = 1; k <= options.kills(); k++) {
        Kill kill = killOwner(cluster, publishers, ledger, k);
        kills.add(kill);
        progress.println("soak: " + kill + "; " + ledger.acknowledgedCount() + " acknowledged so far");
      }
      Await.await(publishers.stop(), publishers.stopBound());
      long stopped = System.nanoTime();
      tally = ledger.tally(stopped);
      progress.println("soak: publishers stopped; " + tally.acknowledged() + " acknowledged; waiting for the nodes to agree");
      comparison = compare(cluster, ledger);
    } catch (RuntimeException | AssertionError | IOException e) {
      aborted = (e.getMessage() == null ? e.toString() : e.getMessage())
          + (cluster == null ? "" : "\nlast lines of the nodes:" + cluster.logTails(LOG_LINES));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      aborted = "interrupted";
    } finally {
      if (publishers != null) {
        publishers.stop().onFailure(e -> progress.println("soak: stopping the publishers: " + e));
        Await.await(publishers.close().recover(e -> Future.succeededFuture()));
      }
      if (cluster != null && running.compareAndSet(cluster, null)) {
        cluster.close();
      }
      Await.await(vertx.close());
    }
    if (tally == null) {
      tally = ledger.tally(System.nanoTime());
    }
    return new SoakReport(options, List.copyOf(kills), tally, comparison,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), aborted);
  }

  private void awaitCluster(SoakCluster cluster) {
    long start = System.nanoTime();
    for (SoakNode node : cluster.nodes()) {
      cluster.awaitHealthy(node, options.startWait());
    }
    SoakCluster.View view = cluster.awaitOwnerAmong(Set.copyOf(cluster.nodes()), options.waitBound());
    progress.println("soak: " + cluster.nodes().size() + " nodes up after " + millisSince(start) + " ms, owner "
        + view.agreedOwner() + "; logs in " + options.logDir());
  }

  /** One kill of the owner, its fail-over, its restart and rejoin, then publishing before the next. */
  private Kill killOwner(SoakCluster cluster, SoakPublishers publishers, SoakLedger ledger, int number)
      throws IOException, InterruptedException {
    Set<SoakNode> all = Set.copyOf(cluster.nodes());
    SoakNode owner = cluster.awaitOwnerAmong(all, options.waitBound()).agreedOwner();
    String killed = owner.toString();
    Set<SoakNode> survivors = new LinkedHashSet<>(cluster.nodes());
    survivors.remove(owner);

    publishers.takeOut(owner.index());
    long killedAt = System.nanoTime();
    owner.kill();
    cluster.awaitOwnerAmong(survivors, options.waitBound());
    long takeOver = System.nanoTime();
    long acknowledgedAgain = ledger.awaitAckAfter(takeOver, options.waitBound(), "publishing after kill " + number);

    owner.start();
    cluster.awaitHealthy(owner, options.waitBound());
    cluster.awaitOwnerAmong(all, options.waitBound());
    long rejoined = System.nanoTime();
    publishers.putBack(owner.index());

    ledger.awaitAcknowledged(ledger.acknowledgedCount() + options.acksBetween(),
        System.nanoTime() + options.between().toNanos(), options.waitBound(), "publishing after the rejoin of kill " + number);
    return new Kill(number, killed, TimeUnit.NANOSECONDS.toMillis(takeOver - killedAt),
        TimeUnit.NANOSECONDS.toMillis(acknowledgedAgain - killedAt), TimeUnit.NANOSECONDS.toMillis(rejoined - killedAt));
  }

  /**
   * Waits until every node serves one seq that has not moved for {@link #QUIET}, then reads every
   * node's backlog and compares the owner's with the ledger, and the others' with the owner's.
   */
  private Comparison compare(SoakCluster cluster, SoakLedger ledger) {
    Set<SoakNode> all = Set.copyOf(cluster.nodes());
    long[] stable = {-1, System.nanoTime()};
    SoakCluster.View view = cluster.await("every node at one seq, unchanged for " + QUIET.toSeconds() + " s",
        options.waitBound().plus(QUIET), cluster::view, candidate -> {
          if (!candidate.agreedAmong(all) || candidate.seqs().values().stream().distinct().count() != 1) {
            stable[0] = -1;
            return false;
          }
          long seq = candidate.seqs().values().iterator().next();
          if (seq != stable[0]) {
            stable[0] = seq;
            stable[1] = System.nanoTime();
          }
          return System.nanoTime() - stable[1] >= QUIET.toNanos();
        });
    SoakNode owner = view.agreedOwner();
    FinalBacklog reference = FinalBacklog.read(owner, ledger.publishers());
    String disagreement = null;
    for (SoakNode node : cluster.nodes()) {
      if (node != owner) {
        FinalBacklog other = FinalBacklog.read(node, ledger.publishers());
        if (!other.sameAs(reference)) {
          disagreement = (disagreement == null ? "" : disagreement + "; ") + node + " serves " + other + ", the owner "
              + reference;
        }
      }
    }
    return reference.against(ledger, disagreement);
  }

  /** A node's backlog as the comparison needs it: epoch, seq, and which batch of which publisher has its record. */
  private record FinalBacklog(String epoch, long seq, long records, BitSet[] present, long unknown) {
    static FinalBacklog read(SoakNode node, int publishers) {
      JsonObject first = Await.await(node.snapshot(SNAPSHOT_SECONDS), Duration.ofSeconds(SNAPSHOT_SECONDS + 5));
      JsonArray snapshot = first.getJsonArray(Protocol.SNAPSHOT);
      if (snapshot == null) {
        throw new SoakException(node + ": the first line of a format=seq poll has no snapshot: "
            + first.encode().substring(0, Math.min(200, first.encode().length())));
      }
      BitSet[] present = new BitSet[publishers];
      for (int p = 0; p < publishers; p++) {
        present[p] = new BitSet();
      }
      long unknown = 0;
      for (int i = 0; i < snapshot.size(); i++) {
        Object id = snapshot.getJsonObject(i).getJsonObject("data").getValue(PK);
        Matcher matcher = RECORD_ID.matcher(String.valueOf(id));
        int publisher = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
        if (publisher < 0 || publisher >= publishers) {
          unknown++;
        } else {
          present[publisher].set(Integer.parseInt(matcher.group(2)));
        }
      }
      return new FinalBacklog(String.valueOf(first.getValue(Protocol.EPOCH)), first.getLong(Protocol.SEQ), snapshot.size(),
          present, unknown);
    }

    boolean sameAs(FinalBacklog other) {
      return seq == other.seq && records == other.records && Arrays.equals(present, other.present);
    }

    Comparison against(SoakLedger ledger, String disagreement) {
      long lost = 0;
      long givenUpApplied = 0;
      long unknownBatches = unknown;
      List<String> lostExamples = new ArrayList<>();
      for (int p = 0; p < present.length; p++) {
        long attempted = ledger.attempted(p);
        for (int i = 0; i < attempted; i++) {
          boolean applied = present[p].get(i);
          if (ledger.isAcknowledged(p, i) && !applied) {
            lost++;
            if (lostExamples.size() < LOST_EXAMPLES) {
              lostExamples.add("p" + p + "-" + i);
            }
          }
          if (ledger.isGivenUp(p, i) && applied) {
            givenUpApplied++;
          }
        }
        unknownBatches += present[p].get((int) attempted, Math.max((int) attempted, present[p].length())).cardinality();
      }
      return new Comparison(epoch, seq, records, lost, seq - records, givenUpApplied, unknownBatches, disagreement,
          lostExamples);
    }

    @Override
    public String toString() {
      return "epoch " + epoch + " seq " + seq + " with " + records + " records";
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
