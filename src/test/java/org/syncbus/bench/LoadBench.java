package org.syncbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.syncbus.auth.TimeTokens;

/**
 * The load generator of {@code scripts/bench} (issue 8), run in its own JVM against servers that
 * run as separate processes (syncbus, and the {@link FloorServer}); {@code scripts/bench} starts
 * them and passes their ports and PIDs.
 *
 * <p>Scenarios, per target, in this order (with {@code --target both} each one runs against
 * syncbus, then against the floor, and the table shows syncbus/floor ratios):
 * <ol>
 *   <li>warm-up (not reported): a short fan-out run;
 *   <li>{@code idle}: heap (jcmd GC.run, GC.heap_info) and RSS of the server before and after
 *       connecting N idle subscribers, per subscriber (first, so RSS growth is not hidden by pages an
 *       earlier scenario already touched); the same connect timed is the subscribe rate with an
 *       empty backlog;
 *   <li>fan-out ({@code --fanout SUBSxRATExSECONDS,…}, default the issue's
 *       {@code 2000x20x10,10000x2x10,2000x40x10}; or one given by {@code --subscribers N --rate R
 *       --seconds S}): N subscribers connected with an empty backlog, batches published at R/s
 *       (absolute deadlines) for S seconds, then drained. Reports the achieved rate,
 *       deliveries/s, completeness (every subscriber got exactly every batch), publish-to-receipt
 *       latency on probes spread through the population, server CPU per delivered line
 *       (utime+stime from /proc over the window from the first publish to the last line);
 *   <li>{@code backlog}: the subscribe rate of M new subscribers with a 1,000-record backlog;
 *   <li>{@code bigbacklog}: the time to deliver a 100,000-record backlog (published in batches of
 *       1,000) to one new subscriber, connect to complete first line (median of tries).
 * </ol>
 *
 * <p>Options (defaults from the issue): {@code --target syncbus|floor|both} (both),
 * {@code --smoke} (50 subscribers, 5 batches/s for 2 s, a 1,000-record backlog to 50, a 5,000-record
 * backlog, both targets: seconds), {@code --fanout 2000x20x10,…} or {@code --subscribers N --rate R
 * --seconds S}, {@code --only fanout,idle,backlog,bigbacklog}, {@code --probes 50},
 * {@code --client-threads 2}, {@code --publishers 1} (keep-alive connections),
 * {@code --max-inflight 1000} (subscribers waiting for their first line at once),
 * {@code --warmup-seconds 8 --warmup-subscribers 1000 --warmup-rate 40} (enough for C2 to be
 * mostly done: with less, compilation still shows in the measured window),
 * {@code --idle-subscribers 10000}, {@code --backlog-subscribers 2000 --backlog-records 1000},
 * {@code --big-backlog 100000 --big-backlog-batch 1000 --big-backlog-tries 3}, {@code --keys 100},
 * {@code --pad 64} (record padding, ~150-byte lines), {@code --pause-ms 1000},
 * {@code --idle-histogram N} (log the server's top N classes while the idle subscribers are
 * connected, to see what a subscriber costs); given by
 * {@code scripts/bench}: {@code --syncbus-port --syncbus-pid --floor-port --floor-pid --clk-tck}.
 *
 * <p>Output: a table, then one line {@code BENCH_JSON {…}} with every figure. Exit status 1 when
 * anything was incomplete (lost or extra lines, refused subscribers, a short backlog), 2 on bad
 * usage.
 */
public final class LoadBench {
  static final String PUBLISH_SECRET = "bench-pub";
  static final String SUBSCRIBE_SECRET = "bench-sub";

  private final Options options;
  private final List<Target> targets = new ArrayList<>();
  private final Map<String, Scenario> scenarios = new LinkedHashMap<>();
  private final String pad;
  private boolean incomplete;

  private LoadBench(Options options) {
    this.options = options;
    this.pad = "x".repeat(options.pad);
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("LoadBench: " + e.getMessage());
      System.exit(2);
      return;
    }
    LoadBench bench = new LoadBench(options);
    int status = bench.run();
    System.exit(status);
  }

  // --- options ---------------------------------------------------------------------------------

  static final class Options {
    String target = "both";
    boolean smoke;
    String host = "127.0.0.1";
    int syncbusPort = -1;
    long syncbusPid = -1;
    int floorPort = -1;
    long floorPid = -1;
    List<double[]> fanout = new ArrayList<>();
    Set<String> only = new LinkedHashSet<>(List.of("fanout", "idle", "backlog", "bigbacklog"));
    int probes = 50;
    int clientThreads = 2;
    int publishers = 1;
    int maxInFlight = 1000;
    double warmupSeconds = 8;
    int warmupSubscribers = 1000;
    double warmupRate = 40;
    int idleSubscribers = 10_000;
    int backlogSubscribers = 2_000;
    int backlogRecords = 1_000;
    int bigBacklog = 100_000;
    int bigBacklogBatch = 1_000;
    int bigBacklogTries = 3;
    int keys = 100;
    int pad = 64;
    int clkTck = 100;
    long pauseMillis = 1000;
    int idleHistogram;

    static Options parse(String[] args) {
      Options o = new Options();
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument " + arg);
        }
        String name = arg.substring(2);
        String value;
        if (name.contains("=")) {
          value = name.substring(name.indexOf('=') + 1);
          name = name.substring(0, name.indexOf('='));
        } else if (name.equals("smoke")) {
          value = "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        given.put(name, value);
      }
      if (Boolean.parseBoolean(given.getOrDefault("smoke", "false"))) {
        o.smoke = true;
        o.fanout.add(new double[] {50, 5, 2});
        o.probes = 10;
        o.warmupSeconds = 0.5;
        o.pauseMillis = 200;
        o.warmupSubscribers = 20;
        o.warmupRate = 5;
        o.idleSubscribers = 50;
        o.backlogSubscribers = 50;
        o.bigBacklog = 5_000;
        o.bigBacklogTries = 1;
      }
      String subs = given.remove("subscribers");
      String rate = given.remove("rate");
      String seconds = given.remove("seconds");
      if (subs != null || rate != null || seconds != null) {
        o.fanout.clear();
        o.fanout.add(new double[] {
            subs == null ? 2000 : Integer.parseInt(subs),
            rate == null ? 20 : Double.parseDouble(rate),
            seconds == null ? 10 : Double.parseDouble(seconds)});
      }
      for (Map.Entry<String, String> e : given.entrySet()) {
        String v = e.getValue();
        switch (e.getKey()) {
          case "smoke" -> { }
          case "target" -> {
            if (!Set.of("syncbus", "floor", "both").contains(v)) {
              throw new IllegalArgumentException("--target syncbus|floor|both, not " + v);
            }
            o.target = v;
          }
          case "host" -> o.host = v;
          case "syncbus-port" -> o.syncbusPort = Integer.parseInt(v);
          case "syncbus-pid" -> o.syncbusPid = Long.parseLong(v);
          case "floor-port" -> o.floorPort = Integer.parseInt(v);
          case "floor-pid" -> o.floorPid = Long.parseLong(v);
          case "fanout" -> {
            o.fanout.clear();
            for (String spec : v.split(",")) {
              String[] p = spec.trim().split("x");
              if (p.length < 2) {
                throw new IllegalArgumentException("--fanout SUBSxRATE[xSECONDS],…, not " + spec);
              }
              o.fanout.add(new double[] {Integer.parseInt(p[0]), Double.parseDouble(p[1]),
                  p.length > 2 ? Double.parseDouble(p[2]) : 10});
            }
          }
          case "only" -> {
            o.only = new LinkedHashSet<>(Arrays.asList(v.split(",")));
            for (String s : o.only) {
              if (!Set.of("fanout", "idle", "backlog", "bigbacklog").contains(s)) {
                throw new IllegalArgumentException("--only takes fanout,idle,backlog,bigbacklog, not " + s);
              }
            }
          }
          case "probes" -> o.probes = Integer.parseInt(v);
          case "client-threads" -> o.clientThreads = Integer.parseInt(v);
          case "publishers" -> o.publishers = Math.max(1, Integer.parseInt(v));
          case "max-inflight" -> o.maxInFlight = Math.max(1, Integer.parseInt(v));
          case "warmup-seconds" -> o.warmupSeconds = Double.parseDouble(v);
          case "warmup-subscribers" -> o.warmupSubscribers = Integer.parseInt(v);
          case "warmup-rate" -> o.warmupRate = Double.parseDouble(v);
          case "idle-subscribers" -> o.idleSubscribers = Integer.parseInt(v);
          case "backlog-subscribers" -> o.backlogSubscribers = Integer.parseInt(v);
          case "backlog-records" -> o.backlogRecords = Integer.parseInt(v);
          case "big-backlog" -> o.bigBacklog = Integer.parseInt(v);
          case "big-backlog-batch" -> o.bigBacklogBatch = Math.max(1, Integer.parseInt(v));
          case "big-backlog-tries" -> o.bigBacklogTries = Math.max(1, Integer.parseInt(v));
          case "keys" -> o.keys = Math.max(1, Integer.parseInt(v));
          case "pad" -> o.pad = Math.max(0, Integer.parseInt(v));
          case "clk-tck" -> o.clkTck = Integer.parseInt(v);
          case "pause-ms" -> o.pauseMillis = Math.max(0, Long.parseLong(v));
          case "idle-histogram" -> o.idleHistogram = Math.max(0, Integer.parseInt(v));
          default -> throw new IllegalArgumentException("unknown option --" + e.getKey());
        }
      }
      if (o.fanout.isEmpty()) {
        o.fanout.add(new double[] {2000, 20, 10});
        o.fanout.add(new double[] {10000, 2, 10});
        o.fanout.add(new double[] {2000, 40, 10});
      }
      if (o.smoke && !given.containsKey("target")) {
        o.target = "both";
      }
      return o;
    }
  }

  // --- targets ---------------------------------------------------------------------------------

  static final class Target {
    final String name;
    final InetSocketAddress address;
    final long pid;
    final boolean floor;
    /** Every id from 0 to this may be in the server's backlog. */
    int maxId = -1;

    Target(String name, InetSocketAddress address, long pid, boolean floor) {
      this.name = name;
      this.address = address;
      this.pid = pid;
      this.floor = floor;
    }
  }

  /** One scenario's figures for every target, in the order they ran. */
  static final class Scenario {
    final String id;
    final String title;
    final String kind;
    final double[] params;
    final Map<String, Map<String, Object>> byTarget = new LinkedHashMap<>();

    Scenario(String id, String title, String kind, double[] params) {
      this.id = id;
      this.title = title;
      this.kind = kind;
      this.params = params;
    }
  }

  private int run() throws Exception {
    if (!options.target.equals("floor")) {
      if (options.syncbusPort <= 0) {
        throw new IllegalArgumentException("--syncbus-port is needed for --target " + options.target);
      }
      targets.add(new Target("syncbus", new InetSocketAddress(options.host, options.syncbusPort), options.syncbusPid, false));
    }
    if (!options.target.equals("syncbus")) {
      if (options.floorPort <= 0) {
        throw new IllegalArgumentException("--floor-port is needed for --target " + options.target);
      }
      targets.add(new Target("floor", new InetSocketAddress(options.host, options.floorPort), options.floorPid, true));
    }
    long started = System.nanoTime();
    for (Target t : targets) {
      awaitReady(t);
    }
    log("targets: " + describeTargets() + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
    if (options.warmupSeconds > 0) {
      for (Target t : targets) {
        log("warm-up " + t.name + ": " + options.warmupSubscribers + " subscribers, " + options.warmupRate
            + " batches/s, " + options.warmupSeconds + " s");
        fanout(t, options.warmupSubscribers, options.warmupRate, options.warmupSeconds);
        pause();
      }
    }
    if (options.only.contains("idle")) {
      Scenario s = scenario("idle", "idle subscribers: " + options.idleSubscribers
          + " with an empty backlog (memory, subscribe rate)", "idle", new double[] {options.idleSubscribers});
      for (Target t : targets) {
        log(s.title + " -> " + t.name);
        s.byTarget.put(t.name, idle(t, options.idleSubscribers));
        pause();
      }
    }
    if (options.only.contains("fanout")) {
      for (double[] f : options.fanout) {
        int subs = (int) f[0];
        String id = "fanout_" + subs + "x" + fmtNum(f[1]) + "x" + fmtNum(f[2]);
        Scenario s = scenario(id, "fan-out: " + subs + " subscribers x " + fmtNum(f[1]) + " batches/s x "
            + fmtNum(f[2]) + " s", "fanout", f);
        for (Target t : targets) {
          log(s.title + " -> " + t.name);
          s.byTarget.put(t.name, fanout(t, subs, f[1], f[2]));
          pause();
        }
      }
    }
    if (options.only.contains("backlog")) {
      Scenario s = scenario("backlog_" + options.backlogRecords, "subscribe: " + options.backlogSubscribers
          + " new subscribers with a " + options.backlogRecords + "-record backlog", "backlog",
          new double[] {options.backlogSubscribers, options.backlogRecords});
      for (Target t : targets) {
        log(s.title + " -> " + t.name);
        s.byTarget.put(t.name, backlog(t, options.backlogSubscribers, options.backlogRecords));
        pause();
      }
    }
    if (options.only.contains("bigbacklog")) {
      Scenario s = scenario("bigbacklog_" + options.bigBacklog, "big backlog: " + options.bigBacklog
          + " records to one new subscriber (" + options.bigBacklogTries + " tries)", "bigbacklog",
          new double[] {options.bigBacklog});
      for (Target t : targets) {
        log(s.title + " -> " + t.name);
        s.byTarget.put(t.name, bigBacklog(t, options.bigBacklog));
        reset(t);
        pause();
      }
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    List<Map<String, Object>> goals = targetChecks();
    printTable(goals, elapsed);
    printJson(goals, elapsed);
    return incomplete ? 1 : 0;
  }

  private Scenario scenario(String id, String title, String kind, double[] params) {
    Scenario s = new Scenario(id, title, kind, params);
    scenarios.put(id, s);
    return s;
  }

  private String describeTargets() {
    List<String> parts = new ArrayList<>();
    for (Target t : targets) {
      parts.add(t.name + " " + t.address.getHostString() + ":" + t.address.getPort() + " pid " + t.pid);
    }
    return String.join(", ", parts);
  }

  private void awaitReady(Target t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String last = "";
    while (System.nanoTime() < deadline) {
      try (Publisher p = new Publisher(t.address, PUBLISH_SECRET)) {
        int status = p.get("/health");
        if (status == 200) {
          return;
        }
        last = "status " + status;
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(t.name + " is not ready after 90 s: " + last);
  }

  /** Lets the server notice closed connections before the next measurement. */
  private void pause() throws InterruptedException {
    Thread.sleep(options.pauseMillis);
  }

  // --- scenarios -------------------------------------------------------------------------------

  private Map<String, Object> fanout(Target t, int subs, double rate, double seconds) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    reset(t);
    try (Publisher setup = new Publisher(t.address, PUBLISH_SECRET)) {
      setup.get("/health"); // the publishers' keep-alive connections open before the first batch
    }
    Subscribers s = new Subscribers(t.address, options.clientThreads, pollToken(), false);
    Subscribers.Stats st;
    Published p;
    double connectSeconds;
    long windowNanos;
    double serverCpu;
    double clientCpu;
    boolean drained;
    try {
      s.open(subs, options.probes, options.maxInFlight);
      if (!s.awaitFirstLines(180_000)) {
        log("  not every subscriber got its first line in 180 s");
      }
      connectSeconds = s.firstLineSeconds();
      Thread.sleep(300);
      double server0 = cpuSeconds(t.pid);
      double client0 = cpuSeconds(ProcessHandle.current().pid());
      long wall0 = System.nanoTime();
      p = publishAtRate(t, rate, seconds);
      long quiet = 5_000;
      drained = s.awaitLines(p.ok, quiet, 60_000 + (long) (seconds * 1000));
      long wall1 = System.nanoTime();
      double server1 = cpuSeconds(t.pid);
      double client1 = cpuSeconds(ProcessHandle.current().pid());
      windowNanos = wall1 - wall0;
      serverCpu = server1 - server0;
      clientCpu = client1 - client0;
    } finally {
      s.close();
    }
    st = s.stats(p.ok);
    t.maxId = Math.max(t.maxId, options.keys - 1);
    long lines = st.totalLines;
    double deliverySeconds = Math.max(1e-9, ((st.served > 0 ? s.lastLineAt() : p.lastSend) - p.firstSend) / 1e9);
    boolean complete = st.missing == 0 && st.extra == 0 && st.failed == 0 && st.endedByServer == 0 && p.errors == 0;
    m.put("subscribers", subs);
    m.put("rate", rate);
    m.put("seconds", seconds);
    m.put("connectSeconds", round(connectSeconds));
    m.put("batches", p.ok);
    m.put("publishErrors", p.errors);
    m.put("publishRate", round(p.achievedRate()));
    m.put("publishLagMaxMs", round(p.maxLagNanos / 1e6));
    m.put("publishRttP50Ms", round(p.rtt.getValueAtPercentile(50) / 1000.0));
    m.put("publishRttP99Ms", round(p.rtt.getValueAtPercentile(99) / 1000.0));
    m.put("deliveriesPerSec", round(lines / deliverySeconds));
    m.put("lines", lines);
    m.put("linesExpected", (long) subs * p.ok);
    m.put("linesMin", st.minLines);
    m.put("linesMax", st.maxLines);
    m.put("missing", st.missing);
    m.put("extra", st.extra);
    m.put("subscribersFailed", st.failed);
    m.put("subscribersEnded", st.endedByServer);
    m.put("complete", complete);
    m.put("probes", st.probes);
    m.put("latencySamples", st.latencyMicros.getTotalCount());
    m.put("p50Ms", round(st.latencyMicros.getValueAtPercentile(50) / 1000.0));
    m.put("p99Ms", round(st.latencyMicros.getValueAtPercentile(99) / 1000.0));
    m.put("maxMs", round(st.latencyMicros.getMaxValue() / 1000.0));
    m.put("serverCpuSeconds", round(serverCpu));
    m.put("cpuUsPerLine", lines == 0 ? null : round(serverCpu * 1e6 / lines));
    m.put("serverCpuPct", round(serverCpu * 1e9 / windowNanos * 100));
    m.put("clientCpuPct", round(clientCpu * 1e9 / windowNanos * 100));
    m.put("windowSeconds", round(windowNanos / 1e9));
    if (!drained || !complete) {
      log("  INCOMPLETE: MISSING " + st.missing + " lines, extra " + st.extra + ", subscribers failed " + st.failed
          + ", ended by the server " + st.endedByServer + ", publish errors " + p.errors
          + (p.error == null ? "" : " (" + p.error + ")") + (st.error == null ? "" : "; " + st.error));
      incomplete = true;
    }
    log(String.format(Locale.ROOT, "  %s: %.1f batches/s, %.0f deliveries/s, p99 %.1f ms, %.2f us/line, %s",
        t.name, p.achievedRate(), lines / deliverySeconds, st.latencyMicros.getValueAtPercentile(99) / 1000.0,
        lines == 0 ? 0 : serverCpu * 1e6 / lines, complete ? "complete" : "INCOMPLETE"));
    return m;
  }

  private Map<String, Object> idle(Target t, int subs) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    reset(t);
    long[] before = memory(t.pid);
    Subscribers s = new Subscribers(t.address, options.clientThreads, pollToken(), false);
    double seconds;
    long[] after;
    try {
      s.open(subs, 0, options.maxInFlight);
      s.awaitFirstLines(180_000);
      seconds = s.firstLineSeconds();
      Thread.sleep(500);
      after = memory(t.pid);
      if (options.idleHistogram > 0 && t.pid > 0) {
        // What the idle subscribers hold: jcmd GC.class_histogram, top classes by bytes.
        String[] lines = jcmd(t.pid, "GC.class_histogram").split("\n");
        for (int i = 0; i < lines.length && i < options.idleHistogram + 3; i++) {
          log("  " + t.name + " heap: " + lines[i]);
        }
      }
    } finally {
      s.close();
    }
    Subscribers.Stats st = s.stats(0);
    long served = Math.max(1, st.served);
    m.put("subscribers", subs);
    m.put("served", st.served);
    m.put("subscribersFailed", st.failed);
    m.put("connectSeconds", round(seconds));
    m.put("subscribeRate", round(st.served / Math.max(1e-9, seconds)));
    m.put("heapBeforeKB", before[0] < 0 ? null : before[0] / 1024);
    m.put("heapAfterKB", after[0] < 0 ? null : after[0] / 1024);
    m.put("heapBytesPerSubscriber", before[0] < 0 || after[0] < 0 ? null : (after[0] - before[0]) / served);
    m.put("rssBeforeKB", before[1] / 1024);
    m.put("rssAfterKB", after[1] / 1024);
    m.put("rssBytesPerSubscriber", (after[1] - before[1]) / served);
    m.put("complete", st.failed == 0);
    if (st.failed > 0) {
      log("  INCOMPLETE: " + st.failed + " subscribers got no first line" + (st.error == null ? "" : " (" + st.error + ")"));
      incomplete = true;
    }
    log(String.format(Locale.ROOT, "  %s: %d subscribers in %.3f s, heap %s B/subscriber, RSS %d B/subscriber", t.name,
        st.served, seconds, m.get("heapBytesPerSubscriber"), (after[1] - before[1]) / served));
    return m;
  }

  private Map<String, Object> backlog(Target t, int subs, int records) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    reset(t);
    publishRecords(t, records, 100);
    Subscribers s = new Subscribers(t.address, options.clientThreads, pollToken(), true);
    try {
      s.open(subs, 0, options.maxInFlight);
      s.awaitFirstLines(180_000);
    } finally {
      s.close();
    }
    Subscribers.Stats st = s.stats(0);
    boolean complete = st.failed == 0 && st.minRecords == records && st.maxRecords == records;
    m.put("subscribers", subs);
    m.put("records", records);
    m.put("served", st.served);
    m.put("subscribersFailed", st.failed);
    m.put("seconds", round(st.firstLineSeconds));
    m.put("subscribeRate", round(st.served / Math.max(1e-9, st.firstLineSeconds)));
    m.put("recordsMin", st.minRecords);
    m.put("recordsMax", st.maxRecords);
    m.put("complete", complete);
    if (!complete) {
      log("  INCOMPLETE: failed " + st.failed + ", records per backlog " + st.minRecords + ".." + st.maxRecords
          + " of " + records + (st.error == null ? "" : " (" + st.error + ")"));
      incomplete = true;
    }
    log(String.format(Locale.ROOT, "  %s: %d subscribers in %.3f s (%.0f/s)", t.name, st.served, st.firstLineSeconds,
        st.served / Math.max(1e-9, st.firstLineSeconds)));
    return m;
  }

  private Map<String, Object> bigBacklog(Target t, int records) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    reset(t);
    long p0 = System.nanoTime();
    publishRecords(t, records, options.bigBacklogBatch);
    double publishSeconds = (System.nanoTime() - p0) / 1e9;
    List<Double> tries = new ArrayList<>();
    boolean complete = true;
    long bytesNote = 0;
    for (int i = 0; i < options.bigBacklogTries; i++) {
      Subscribers s = new Subscribers(t.address, 1, pollToken(), true);
      try {
        s.open(1, 0, 1);
        s.awaitFirstLines(120_000);
      } finally {
        s.close();
      }
      Subscribers.Stats st = s.stats(0);
      if (st.served != 1 || st.minRecords != records) {
        complete = false;
        log("  INCOMPLETE: try " + (i + 1) + ": served " + st.served + ", records " + st.minRecords + " of " + records
            + (st.error == null ? "" : " (" + st.error + ")"));
      }
      tries.add(round(st.firstLineSeconds * 1000));
      bytesNote = st.minRecords;
      Thread.sleep(200);
    }
    if (!complete) {
      incomplete = true;
    }
    List<Double> sorted = new ArrayList<>(tries);
    sorted.sort(null);
    m.put("records", records);
    m.put("publishSeconds", round(publishSeconds));
    m.put("publishRecordsPerSec", round(records / Math.max(1e-9, publishSeconds)));
    m.put("triesMs", tries);
    m.put("medianMs", sorted.get(sorted.size() / 2));
    m.put("minMs", sorted.get(0));
    m.put("recordsReceived", bytesNote);
    m.put("complete", complete);
    log(String.format(Locale.ROOT, "  %s: %s ms (published in %.2f s)", t.name, tries, publishSeconds));
    return m;
  }

  // --- publishing ------------------------------------------------------------------------------

  static final class Published {
    int ok;
    int errors;
    String error;
    long firstSend = Long.MAX_VALUE;
    long lastSend;
    long maxLagNanos;
    final Histogram rtt = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);

    double achievedRate() {
      return ok < 2 || lastSend <= firstSend ? ok : (ok - 1) * 1e9 / (lastSend - firstSend);
    }
  }

  private String batch(int key, long n, long t) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + key + ",\"n\":" + n + ",\"t\":" + t + ",\"pad\":\"" + pad + "\"}}]";
  }

  /** Publishes {@code rate × seconds} batches at fixed absolute deadlines, on {@code publishers} connections. */
  private Published publishAtRate(Target t, double rate, double seconds) throws InterruptedException {
    int total = Math.max(1, (int) Math.round(rate * seconds));
    long period = (long) (1e9 / rate);
    int threads = Math.min(options.publishers, total);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    Published result = new Published();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    List<Published> parts = new ArrayList<>();
    for (int j = 0; j < threads; j++) {
      int first = j;
      Published part = new Published();
      parts.add(part);
      Thread w = new Thread(() -> {
        try (Publisher pub = new Publisher(t.address, PUBLISH_SECRET)) {
          pub.get("/health");
          for (int i = first; i < total; i += threads) {
            long deadline = start + i * period;
            long now;
            while ((now = System.nanoTime()) < deadline) {
              LockSupport.parkNanos(deadline - now);
            }
            long sent = System.nanoTime();
            int status = pub.publish(batch(i % options.keys, i, sent));
            long done = System.nanoTime();
            part.rtt.recordValue(Math.min((done - sent) / 1000, part.rtt.getHighestTrackableValue()));
            part.firstSend = Math.min(part.firstSend, sent);
            part.lastSend = Math.max(part.lastSend, sent);
            part.maxLagNanos = Math.max(part.maxLagNanos, sent - deadline);
            if (status == 200) {
              part.ok++;
            } else {
              part.errors++;
              part.error = "status " + status + ": " + pub.lastBody();
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-publisher-" + j);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    for (Published part : parts) {
      result.ok += part.ok;
      result.errors += part.errors;
      if (part.error != null) {
        result.error = part.error;
      }
      result.firstSend = Math.min(result.firstSend, part.firstSend);
      result.lastSend = Math.max(result.lastSend, part.lastSend);
      result.maxLagNanos = Math.max(result.maxLagNanos, part.maxLagNanos);
      result.rtt.add(part.rtt);
    }
    if (failure.get() != null) {
      result.errors++;
      result.error = failure.get().toString();
    }
    if (result.firstSend == Long.MAX_VALUE) {
      result.firstSend = start;
      result.lastSend = start;
    }
    return result;
  }

  /** Publishes records with ids 0..count-1, {@code perBatch} per batch. */
  private void publishRecords(Target t, int count, int perBatch) throws IOException {
    try (Publisher pub = new Publisher(t.address, PUBLISH_SECRET)) {
      for (int from = 0; from < count; from += perBatch) {
        StringBuilder sb = new StringBuilder(perBatch * (100 + pad.length())).append('[');
        int to = Math.min(count, from + perBatch);
        for (int id = from; id < to; id++) {
          if (id > from) {
            sb.append(',');
          }
          sb.append("{\"type\":\"update\",\"data\":{\"id\":").append(id).append(",\"n\":").append(id)
              .append(",\"t\":0,\"pad\":\"").append(pad).append("\"}}");
        }
        sb.append(']');
        int status = pub.publish(sb.toString());
        if (status != 200) {
          throw new IOException(t.name + ": publishing records answered " + status + ": " + pub.lastBody());
        }
        t.maxId = Math.max(t.maxId, to - 1);
      }
    }
  }

  /** Empties the target's backlog: deletes for syncbus, {@code POST /reset} for the floor. */
  private void reset(Target t) throws IOException {
    try (Publisher pub = new Publisher(t.address, PUBLISH_SECRET)) {
      if (t.floor) {
        int status = pub.post("/reset", "");
        if (status != 200) {
          throw new IOException("floor: reset answered " + status);
        }
      } else {
        for (int from = 0; from <= t.maxId; from += 1000) {
          StringBuilder sb = new StringBuilder("[");
          int to = Math.min(t.maxId, from + 999);
          for (int id = from; id <= to; id++) {
            if (id > from) {
              sb.append(',');
            }
            sb.append("{\"type\":\"delete\",\"data\":{\"id\":").append(id).append("}}");
          }
          sb.append(']');
          int status = pub.publish(sb.toString());
          if (status != 200) {
            throw new IOException("syncbus: deleting records answered " + status + ": " + pub.lastBody());
          }
        }
      }
    }
    t.maxId = -1;
  }

  /** The poll token, signed again when the second changes. */
  private static Supplier<String> pollToken() {
    long[] at = {-1};
    String[] token = {null};
    return () -> {
      synchronized (at) {
        long now = TimeTokens.systemSeconds();
        if (now != at[0]) {
          at[0] = now;
          token[0] = java.net.URLEncoder.encode(TimeTokens.sign(SUBSCRIBE_SECRET, "None", now), StandardCharsets.UTF_8);
        }
        return token[0];
      }
    };
  }

  // --- process figures -------------------------------------------------------------------------

  /** utime + stime of a process, in seconds; NaN when unknown. */
  private double cpuSeconds(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / (double) options.clkTck;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** {heap used after a full GC, RSS}, in bytes; -1 when unknown. */
  private static long[] memory(long pid) throws InterruptedException {
    long heap = -1;
    long rss = -1;
    if (pid > 0) {
      try {
        jcmd(pid, "GC.run");
        Thread.sleep(200);
        String info = jcmd(pid, "GC.heap_info");
        long used = 0;
        boolean found = false;
        for (String line : info.split("\n")) {
          if (line.contains("Metaspace") || line.contains("class space")) {
            break;
          }
          Matcher m = USED.matcher(line);
          if (m.find()) {
            used += Long.parseLong(m.group(1)) * 1024;
            found = true;
          }
        }
        heap = found ? used : -1;
      } catch (IOException e) {
        log("  jcmd failed: " + e.getMessage());
      }
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException e) {
        log("  cannot read RSS: " + e.getMessage());
      }
    }
    return new long[] {heap, rss};
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " exited " + p.exitValue() + ": " + out.trim());
    }
    return out;
  }

  // --- report ----------------------------------------------------------------------------------

  private record Row(String key, String label, boolean lowerIsBetter) { }

  private static final Map<String, List<Row>> ROWS = Map.of(
      "fanout", List.of(
          new Row("publishRate", "publish rate achieved (batches/s)", false),
          new Row("batches", "batches published", false),
          new Row("deliveriesPerSec", "deliveries/s", false),
          new Row("complete", "complete (every subscriber, every batch)", false),
          new Row("missing", "MISSING lines", true),
          new Row("linesMin", "lines per subscriber, min", false),
          new Row("linesMax", "lines per subscriber, max", false),
          new Row("p50Ms", "latency p50 (ms)", true),
          new Row("p99Ms", "latency p99 (ms)", true),
          new Row("maxMs", "latency max (ms)", true),
          new Row("latencySamples", "latency samples (probes x batches)", false),
          new Row("cpuUsPerLine", "server CPU per delivered line (us)", true),
          new Row("serverCpuPct", "server CPU (% of one core)", true),
          new Row("clientCpuPct", "load generator CPU (% of one core)", true),
          new Row("publishRttP99Ms", "publish round trip p99 (ms)", true),
          new Row("publishLagMaxMs", "publisher behind schedule, max (ms)", true),
          new Row("connectSeconds", "subscribers connected in (s)", true)),
      "idle", List.of(
          new Row("served", "subscribers served", false),
          new Row("connectSeconds", "connected and served [] in (s)", true),
          new Row("subscribeRate", "subscribe rate, empty backlog (/s)", false),
          new Row("heapBytesPerSubscriber", "heap per idle subscriber (B)", true),
          new Row("rssBytesPerSubscriber", "RSS per idle subscriber (B)", true),
          new Row("heapBeforeKB", "heap before (KB)", true),
          new Row("heapAfterKB", "heap after (KB)", true),
          new Row("rssAfterKB", "RSS after (KB)", true)),
      "backlog", List.of(
          new Row("served", "subscribers served", false),
          new Row("seconds", "all first lines in (s)", true),
          new Row("subscribeRate", "subscribe rate (/s)", false),
          new Row("recordsMin", "records per backlog, min", false),
          new Row("complete", "complete", false)),
      "bigbacklog", List.of(
          new Row("medianMs", "connect -> complete backlog, median (ms)", true),
          new Row("minMs", "connect -> complete backlog, best (ms)", true),
          new Row("triesMs", "tries (ms)", true),
          new Row("recordsReceived", "records received", false),
          new Row("publishRecordsPerSec", "records published/s while loading", false)));

  private void printTable(List<Map<String, Object>> goals, double elapsed) {
    List<String> names = new ArrayList<>();
    for (Target t : targets) {
      names.add(t.name);
    }
    boolean ratios = names.size() == 2;
    StringBuilder out = new StringBuilder("\n");
    out.append(String.format(Locale.ROOT, "syncbus load bench (%s%s): %d CPUs, client %d selector threads, %d publisher connection(s), %.0f s%n",
        options.target, options.smoke ? ", smoke" : "", Runtime.getRuntime().availableProcessors(), options.clientThreads,
        options.publishers, elapsed));
    for (Scenario s : scenarios.values()) {
      out.append('\n').append("== ").append(s.title).append(" ==\n");
      out.append(String.format(Locale.ROOT, "%-44s", "metric"));
      for (String n : names) {
        out.append(String.format(Locale.ROOT, "%16s", n));
      }
      if (ratios) {
        out.append(String.format(Locale.ROOT, "%16s", names.get(0) + "/" + names.get(1)));
      }
      out.append('\n');
      for (Row row : ROWS.get(s.kind)) {
        out.append(String.format(Locale.ROOT, "%-44s", row.label()));
        List<Object> values = new ArrayList<>();
        for (String n : names) {
          Object v = s.byTarget.getOrDefault(n, Map.of()).get(row.key());
          values.add(v);
          out.append(String.format(Locale.ROOT, "%16s", cell(v)));
        }
        if (ratios) {
          Double r = ratio(values.get(0), values.get(1));
          out.append(String.format(Locale.ROOT, "%16s", r == null ? "" : String.format(Locale.ROOT, "%.2f", r)));
        }
        out.append('\n');
      }
    }
    if (options.smoke) {
      out.append("\n(smoke: the issue's targets are not evaluated at this size)\n");
    } else if (!goals.isEmpty()) {
      out.append("\n== issue 8 targets (informative; CI never checks them) ==\n");
      for (Map<String, Object> g : goals) {
        Object pass = g.get("pass");
        out.append(String.format(Locale.ROOT, "%-5s %-62s %s%n", pass == null ? "n/a" : ((Boolean) pass ? "PASS" : "FAIL"),
            g.get("target"), g.get("measured")));
      }
    }
    out.append('\n').append(incomplete ? "RESULT: INCOMPLETE (something was lost or refused; see MISSING above)"
        : "RESULT: complete (every subscriber received every batch, every backlog whole)").append('\n');
    System.out.print(out);
    System.out.flush();
  }

  private static String cell(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Boolean b) {
      return b ? "yes" : "NO";
    }
    if (v instanceof Double d) {
      if (d.isNaN()) {
        return "-";
      }
      double a = Math.abs(d);
      return a >= 1000 ? String.format(Locale.ROOT, "%.0f", d) : a >= 100 ? String.format(Locale.ROOT, "%.1f", d)
          : String.format(Locale.ROOT, "%.2f", d);
    }
    if (v instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      for (Object o : list) {
        parts.add(cell(o));
      }
      String s = String.join(",", parts);
      return s.length() > 15 ? s.substring(0, 14) + "…" : s;
    }
    return v.toString();
  }

  private static Double ratio(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y && !(a instanceof Boolean)) {
      double d = y.doubleValue();
      if (d == 0 || Double.isNaN(d) || Double.isNaN(x.doubleValue())) {
        return null;
      }
      return x.doubleValue() / d;
    }
    return null;
  }

  private Map<String, Object> figures(String scenario, String target) {
    Scenario s = scenarios.get(scenario);
    return s == null ? null : s.byTarget.get(target);
  }

  /** The targets, for the scenarios that ran with the parameters. */
  private List<Map<String, Object>> targetChecks() {
    List<Map<String, Object>> goals = new ArrayList<>();
    boolean withFloor = figuresExist("floor");
    if (!figuresExist("syncbus")) {
      return goals;
    }
    for (Scenario s : scenarios.values()) {
      Map<String, Object> sb = s.byTarget.get("syncbus");
      Map<String, Object> fl = s.byTarget.get("floor");
      switch (s.kind) {
        case "fanout" -> {
          int subs = (int) s.params[0];
          double rate = s.params[1];
          String name = subs + " x " + fmtNum(rate) + "/s";
          if (withFloor && fl != null) {
            Double r = ratio(sb.get("cpuUsPerLine"), fl.get("cpuUsPerLine"));
            goals.add(goal("CPU per delivered line <= 1.2x floor (" + name + ")", r != null && r <= 1.2,
                String.format(Locale.ROOT, "%s us vs %s us = %s", sb.get("cpuUsPerLine"), fl.get("cpuUsPerLine"), fmtRatio(r))));
          }
          boolean complete = Boolean.TRUE.equals(sb.get("complete"));
          if ((subs == 2000 && rate == 20) || (subs == 10000 && rate == 2)) {
            goals.add(goal("nothing lost (" + name + ")", complete, "missing " + sb.get("missing")));
            if (withFloor && fl != null) {
              Double r = ratio(sb.get("p99Ms"), fl.get("p99Ms"));
              goals.add(goal("p99 <= 1.2x floor (" + name + ")", r != null && r <= 1.2,
                  String.format(Locale.ROOT, "%s ms vs %s ms = %s", sb.get("p99Ms"), fl.get("p99Ms"), fmtRatio(r))));
            }
          } else if (subs == 2000 && rate == 40) {
            double achieved = ((Number) sb.get("publishRate")).doubleValue();
            goals.add(goal("sustained with nothing lost (" + name + ")", complete && achieved >= 0.98 * rate,
                String.format(Locale.ROOT, "%.1f batches/s, missing %s", achieved, sb.get("missing"))));
          } else {
            goals.add(goal("nothing lost (" + name + ")", complete, "missing " + sb.get("missing")));
          }
        }
        case "idle" -> {
          Object heap = sb.get("heapBytesPerSubscriber");
          goals.add(goal("<= 4 KB heap per idle subscriber", heap instanceof Number n && n.longValue() <= 4096,
              heap + " B"));
          int subs = (int) s.params[0];
          double secs = ((Number) sb.get("connectSeconds")).doubleValue();
          double rate = ((Number) sb.get("subscribeRate")).doubleValue();
          if (subs >= 10000) {
            goals.add(goal("10,000 subscribers served an empty backlog in <= 3 s", secs <= 3 && Boolean.TRUE.equals(sb.get("complete")),
                String.format(Locale.ROOT, "%d in %.2f s", subs, secs)));
          } else {
            goals.add(goal("empty-backlog subscribe rate >= 3,333/s (10,000 in 3 s)", rate >= 10000 / 3.0,
                String.format(Locale.ROOT, "%.0f/s (%d subscribers only)", rate, subs)));
          }
        }
        case "backlog" -> {
          double rate = ((Number) sb.get("subscribeRate")).doubleValue();
          goals.add(goal(">= 2,000 new subscribers/s with a " + (int) s.params[1] + "-record backlog",
              rate >= 2000 && Boolean.TRUE.equals(sb.get("complete")), String.format(Locale.ROOT, "%.0f/s", rate)));
        }
        case "bigbacklog" -> {
          double ms = ((Number) sb.get("medianMs")).doubleValue();
          goals.add(goal((int) s.params[0] + "-record backlog to a new subscriber in <= 200 ms",
              ms <= 200 && Boolean.TRUE.equals(sb.get("complete")), String.format(Locale.ROOT, "median %.1f ms", ms)));
        }
        default -> { }
      }
    }
    return goals;
  }

  private boolean figuresExist(String target) {
    for (Target t : targets) {
      if (t.name.equals(target)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> goal(String target, boolean pass, String measured) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("target", target);
    g.put("pass", pass);
    g.put("measured", measured);
    return g;
  }

  private static String fmtRatio(Double r) {
    return r == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", r);
  }

  private void printJson(List<Map<String, Object>> goals, double elapsed) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("target", options.target);
    config.put("smoke", options.smoke);
    config.put("cpus", Runtime.getRuntime().availableProcessors());
    config.put("clientThreads", options.clientThreads);
    config.put("publishers", options.publishers);
    config.put("probes", options.probes);
    config.put("maxInFlight", options.maxInFlight);
    config.put("keys", options.keys);
    config.put("pad", options.pad);
    config.put("warmupSeconds", options.warmupSeconds);
    config.put("clkTck", options.clkTck);
    root.put("config", config);
    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (Scenario s : scenarios.values()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("title", s.title);
      r.putAll(s.byTarget);
      results.put(s.id, r);
      Map<String, Object> sb = s.byTarget.get("syncbus");
      Map<String, Object> fl = s.byTarget.get("floor");
      if (sb != null && fl != null) {
        Map<String, Object> rs = new LinkedHashMap<>();
        for (Row row : ROWS.get(s.kind)) {
          Double x = ratio(sb.get(row.key()), fl.get(row.key()));
          if (x != null) {
            rs.put(row.key(), round(x));
          }
        }
        ratios.put(s.id, rs);
      }
    }
    root.put("results", results);
    if (!ratios.isEmpty()) {
      root.put("ratios", ratios);
    }
    root.put("targets", options.smoke ? List.of() : goals);
    root.put("complete", !incomplete);
    root.put("elapsedSeconds", round(elapsed));
    System.out.println("BENCH_JSON " + json(root));
    System.out.flush();
  }

  static String json(Object v) {
    StringBuilder sb = new StringBuilder();
    json(v, sb);
    return sb.toString();
  }

  private static void json(Object v, StringBuilder sb) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Map<?, ?> map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        json(String.valueOf(e.getKey()), sb);
        sb.append(':');
        json(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        json(list.get(i), sb);
      }
      sb.append(']');
    } else if (v instanceof Double d) {
      sb.append(d.isNaN() || d.isInfinite() ? "null" : (d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString()));
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      String s = v.toString();
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }

  private static Double round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.NaN;
    }
    return Math.round(v * 1000) / 1000.0;
  }

  private static String fmtNum(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static void log(String line) {
    System.out.println("# " + line);
    System.out.flush();
  }
}
