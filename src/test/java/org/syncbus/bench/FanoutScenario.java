package org.syncbus.bench;

import static org.syncbus.bench.BenchReport.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.syncbus.bench.BenchOptions.Fanout;
import org.syncbus.bench.PacedPublisher.Published;

/**
 * Fan-out: N subscribers connected with an empty backlog, batches published at R per second (at
 * absolute deadlines, see {@link PacedPublisher}) for S seconds, then drained. Measures the rate
 * achieved, deliveries per second, completeness (every subscriber got exactly every batch, nothing
 * extra, none dropped), publish-to-receipt latency on probes spread through the population, and
 * the server's CPU per delivered line: utime + stime from {@code /proc} over the window from the
 * first publish to the last line, so connecting the subscribers is not counted.
 *
 * <p>Also the warm-up before every other scenario (not reported), with its own load, and the
 * base of {@link PublishScenario}, which is the same measurement judged per batch.
 */
class FanoutScenario extends Scenario {
  /** A fan-out is drained when no line arrived for this long (or every expected line did). */
  private static final long QUIET_MILLIS = 5_000;

  private static final List<Row> ROWS = List.of(
      new Row("publishRate", "publish rate achieved (batches/s)"),
      new Row("batches", "batches published"),
      new Row("deliveriesPerSec", "deliveries/s"),
      new Row("complete", "complete (every subscriber, every batch)"),
      new Row("missing", "MISSING lines"),
      new Row("linesMin", "lines per subscriber, min"),
      new Row("linesMax", "lines per subscriber, max"),
      new Row("p50Ms", "latency p50 (ms)"),
      new Row("p99Ms", "latency p99 (ms)"),
      new Row("maxMs", "latency max (ms)"),
      new Row("latencySamples", "latency samples (probes x batches)"),
      new Row("cpuUsPerLine", "server CPU per delivered line (us)"),
      new Row("cpuUsPerBatch", "server CPU per published batch (us)"),
      new Row("serverCpuPct", "server CPU (% of one core)"),
      new Row("clientCpuPct", "load generator CPU (% of one core)"),
      new Row("publishRttP50Ms", "publish round trip p50 (ms)"),
      new Row("publishRttP99Ms", "publish round trip p99 (ms)"),
      new Row("publishLagMaxMs", "publisher behind schedule, max (ms)"),
      new Row("connectSeconds", "subscribers connected in (s)"));

  final Fanout load;
  private final PacedPublisher publisher;
  /** Whether this fan-out is reported (and so first runs its own load unreported); false for a warm-up. */
  private final boolean reported;

  FanoutScenario(BenchOptions options, Fanout load) {
    this(options, load, true);
  }

  private FanoutScenario(BenchOptions options, Fanout load, boolean reported) {
    this("fanout_" + load.spec(), "fan-out: " + load.subscribers() + " subscribers x " + Fanout.number(load.rate())
        + " batches/s x " + Fanout.number(load.seconds()) + " s", options, load, reported);
  }

  FanoutScenario(String id, String title, BenchOptions options, Fanout load) {
    this(id, title, options, load, true);
  }

  private FanoutScenario(String id, String title, BenchOptions options, Fanout load, boolean reported) {
    super(id, title, options);
    this.load = load;
    this.reported = reported;
    this.publisher = new PacedPublisher(options.publishers, options.keys, options.padding());
  }

  /** A load run to warm a server up, not reported, and not warmed up itself. */
  static FanoutScenario warmUp(BenchOptions options, Fanout load) {
    return new FanoutScenario(options, load, false);
  }

  /** Publishing and draining, timed, with the CPU both processes spent meanwhile. */
  private record Window(Published published, boolean drained, long nanos, double serverCpu, double clientCpu) { }

  /**
   * A load to run, not reported, right before this one is measured: the same load for
   * {@code --fanout-warmup-seconds}, so that what a server's JIT still compiles for this shape of
   * load (fewer subscribers per batch, another rate than the bench's warm-up) is not counted as its
   * CPU per line; none for a warm-up itself.
   */
  Fanout warmUp() {
    return reported && options.fanoutWarmupSeconds > 0
        ? new Fanout(load.subscribers(), load.rate(), options.fanoutWarmupSeconds) : null;
  }

  @Override
  final Result measure(Target target) throws Exception {
    Fanout warmUp = warmUp();
    if (warmUp != null) {
      LoadBench.log("  warm-up " + target.name + ": " + warmUp.subscribers() + " subscribers, "
          + Fanout.number(warmUp.rate()) + " batches/s, " + Fanout.number(warmUp.seconds()) + " s");
      warmUp(options, warmUp).measure(target);
    }
    target.server.reset();
    try (Publisher setup = target.server.publisher()) {
      setup.get("/health"); // the publishers' keep-alive connections open before the first batch
    }
    Subscribers subscribers = target.subscribers(options.clientThreads, false);
    double connectSeconds;
    Window window;
    try (subscribers) {
      subscribers.open(load.subscribers(), options.probes, options.maxInFlight);
      if (!subscribers.awaitFirstLines(FIRST_LINES_TIMEOUT_MILLIS)) {
        LoadBench.log("  not every subscriber got its first line in " + FIRST_LINES_TIMEOUT_MILLIS / 1000 + " s");
      }
      connectSeconds = subscribers.firstLineSeconds();
      Thread.sleep(300);
      window = publishAndDrain(target, subscribers);
    }
    target.server.published(options.keys);
    return result(target, connectSeconds, window, subscribers);
  }

  private Window publishAndDrain(Target target, Subscribers subscribers) throws InterruptedException {
    ProcessProbe self = ProcessProbe.self(options.clkTck);
    double server0 = target.server.probe.cpuSeconds();
    double client0 = self.cpuSeconds();
    long wall0 = System.nanoTime();
    Published p = publisher.publish(target.server, load.rate(), load.seconds());
    boolean drained = subscribers.awaitLines(p.ok, QUIET_MILLIS, 60_000 + (long) (load.seconds() * 1000));
    long wall1 = System.nanoTime();
    double server1 = target.server.probe.cpuSeconds();
    double client1 = self.cpuSeconds();
    return new Window(p, drained, wall1 - wall0, server1 - server0, client1 - client0);
  }

  private Result result(Target target, double connectSeconds, Window w, Subscribers subscribers) {
    Published p = w.published();
    Subscribers.Stats st = subscribers.stats(p.ok);
    long lastLine = st.served > 0 ? subscribers.lastLineAt() : p.lastSend;
    double deliverySeconds = nonZero((lastLine - p.firstSend) / 1e9);
    boolean complete = st.missing == 0 && st.extra == 0 && st.failed == 0 && st.endedByServer == 0 && p.errors == 0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subscribers", load.subscribers());
    m.put("rate", load.rate());
    m.put("seconds", load.seconds());
    m.put("connectSeconds", round(connectSeconds));
    putPublishing(m, p);
    putDelivery(m, st, p, deliverySeconds, complete);
    putLatency(m, st);
    putCpu(m, w, st.totalLines, p.ok);
    if (!w.drained() || !complete) {
      LoadBench.log("  INCOMPLETE: MISSING " + st.missing + " lines, extra " + st.extra + ", subscribers failed "
          + st.failed + ", ended by the server " + st.endedByServer + ", publish errors " + p.errors
          + (p.error == null ? "" : " (" + p.error + ")") + (st.error == null ? "" : "; " + st.error));
    }
    LoadBench.log(String.format(Locale.ROOT, "  %s: %.1f batches/s, %.0f deliveries/s, p99 %.1f ms, %.2f us/line, %s",
        target.name, p.achievedRate(), st.totalLines / deliverySeconds,
        st.latencyMicros.getValueAtPercentile(99) / 1000.0,
        st.totalLines == 0 ? 0 : w.serverCpu() * 1e6 / st.totalLines, complete ? "complete" : "INCOMPLETE"));
    return new Result(m, w.drained() && complete);
  }

  private static void putPublishing(Map<String, Object> m, Published p) {
    m.put("batches", p.ok);
    m.put("publishErrors", p.errors);
    m.put("publishRate", round(p.achievedRate()));
    m.put("publishLagMaxMs", round(p.maxLagNanos / 1e6));
    m.put("publishRttP50Ms", round(p.rtt.getValueAtPercentile(50) / 1000.0));
    m.put("publishRttP99Ms", round(p.rtt.getValueAtPercentile(99) / 1000.0));
  }

  private void putDelivery(Map<String, Object> m, Subscribers.Stats st, Published p, double deliverySeconds,
      boolean complete) {
    m.put("deliveriesPerSec", round(st.totalLines / deliverySeconds));
    m.put("lines", st.totalLines);
    m.put("linesExpected", (long) load.subscribers() * p.ok);
    m.put("linesMin", st.minLines);
    m.put("linesMax", st.maxLines);
    m.put("missing", st.missing);
    m.put("extra", st.extra);
    m.put("subscribersFailed", st.failed);
    m.put("subscribersEnded", st.endedByServer);
    m.put("complete", complete);
  }

  private static void putLatency(Map<String, Object> m, Subscribers.Stats st) {
    m.put("probes", st.probes);
    m.put("latencySamples", st.latencyMicros.getTotalCount());
    m.put("p50Ms", round(st.latencyMicros.getValueAtPercentile(50) / 1000.0));
    m.put("p99Ms", round(st.latencyMicros.getValueAtPercentile(99) / 1000.0));
    m.put("maxMs", round(st.latencyMicros.getMaxValue() / 1000.0));
  }

  private static void putCpu(Map<String, Object> m, Window w, long lines, int batches) {
    m.put("serverCpuSeconds", round(w.serverCpu()));
    m.put("cpuUsPerLine", lines == 0 ? null : round(w.serverCpu() * 1e6 / lines));
    m.put("cpuUsPerBatch", batches == 0 ? null : round(w.serverCpu() * 1e6 / batches));
    m.put("serverCpuPct", round(w.serverCpu() * 1e9 / w.nanos() * 100));
    m.put("clientCpuPct", round(w.clientCpu() * 1e9 / w.nanos() * 100));
    m.put("windowSeconds", round(w.nanos() / 1e9));
  }

  @Override
  List<Row> rows() {
    return ROWS;
  }

  /** The rows of a fan-out with these keys, in this order: the measurement's figures, labelled once. */
  static List<Row> rows(String... keys) {
    List<Row> rows = new ArrayList<>();
    for (String key : keys) {
      rows.add(ROWS.stream().filter(r -> r.key().equals(key)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no fan-out figure " + key)));
    }
    return List.copyOf(rows);
  }

  /**
   * At every load: nothing lost, CPU per delivered line at most 1.1 times Nchan's and p99 at most
   * Nchan's + 10 % (when Nchan ran); at 2,000 × 40/s, the rate sustained (98 %) as well.
   */
  @Override
  List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan, Map<String, Object> floor) {
    int subs = load.subscribers();
    double rate = load.rate();
    String name = column + ", " + subs + " x " + Fanout.number(rate) + "/s";
    boolean complete = isTrue(syncbus.get("complete"));
    List<Goal> goals = new ArrayList<>();
    if (subs == 2000 && rate == 40) {
      double achieved = number(syncbus, "publishRate");
      goals.add(new Goal("sustained with nothing lost (" + name + ")", complete && achieved >= 0.98 * rate,
          String.format(Locale.ROOT, "%.1f batches/s, missing %s", achieved, syncbus.get("missing"))));
    } else {
      goals.add(new Goal("nothing lost (" + name + ")", complete, "missing " + syncbus.get("missing")));
    }
    if (nchan != null) {
      goals.add(atMost("CPU per delivered line <= 1.1x Nchan's (" + name + ")", "cpuUsPerLine", "us", 1.1, syncbus,
          Target.NCHAN, nchan));
      goals.add(atMost("p99 <= Nchan's + 10 % (" + name + ")", "p99Ms", "ms", 1.1, syncbus, Target.NCHAN, nchan));
    }
    return goals;
  }
}
