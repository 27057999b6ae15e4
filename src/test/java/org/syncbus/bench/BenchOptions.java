package org.syncbus.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load generator's command line: {@code --name value} or {@code --name=value}, flags
 * {@code --smoke} and {@code --help}. The defaults are the benchmark's own loads (README,
 * Benchmarks); {@link #help()} lists every option with its default, so the text cannot drift from
 * the values. {@link #parse} throws {@link IllegalArgumentException} on bad usage (exit status 2).
 *
 * <p>The fields are the parsed values; nothing outside this class sets them.
 */
final class BenchOptions {
  /** The scenarios {@code --only} names; they run in {@link LoadBench}'s order, not this one. */
  static final List<String> SCENARIOS = List.of("fanout", "idle", "publish", "backlog", "bigbacklog");
  /** {@code both}: syncbus and the floor; {@code all}: the floor, syncbus and Nchan. */
  static final List<String> TARGETS = List.of("syncbus", "floor", "nchan", "both", "all");
  /** syncbus's kinds of subscriber, each a column of its own: {@code /poll}, {@code /events}, the TCP bridge. */
  static final List<String> KINDS = List.of("poll", "events", "bridge");
  /** The benchmark's fan-out loads (README, Benchmarks). */
  static final List<Fanout> DEFAULT_FANOUT = List.of(
      new Fanout(500, 20, 10), new Fanout(2000, 20, 10), new Fanout(10000, 2, 10), new Fanout(2000, 40, 10));
  /** What {@code --subscribers}, {@code --rate} or {@code --seconds} leave unsaid. */
  static final Fanout DEFAULT_ONE_FANOUT = new Fanout(2000, 20, 10);
  /** The publish path's load: a few subscribers, many batches from one publisher. */
  static final Fanout DEFAULT_PUBLISH = new Fanout(10, 1500, 10);
  /** A {@code --fanout} load's seconds when it gives none. */
  static final double DEFAULT_FANOUT_SECONDS = 10;
  private static final Set<String> FLAGS = Set.of("smoke", "help");

  boolean help;
  String target = "both";
  boolean smoke;
  String host = "127.0.0.1";
  int syncbusPort = -1;
  long syncbusPid = -1;
  int floorPort = -1;
  long floorPid = -1;
  int nchanPort = -1;
  long nchanPid = -1;
  int bridgePort = -1;
  /** The servers' JVM options, for the report only (scripts/bench starts the servers). */
  String serverJavaOpts = "";
  Set<String> kinds = new LinkedHashSet<>(KINDS);
  Fanout publish = DEFAULT_PUBLISH;
  List<Fanout> fanout = new ArrayList<>();
  Set<String> only = new LinkedHashSet<>(SCENARIOS);
  int probes = 50;
  int clientThreads = 2;
  int publishers = 1;
  int maxInFlight = 1000;
  /** Enough for C2 to be mostly done: with less, compilation still shows in the measured window. */
  double warmupSeconds = 8;
  int warmupSubscribers = 1000;
  double warmupRate = 40;
  /**
   * The publish path's own warm-up, at its load: at 1,500 batches/s syncbus's CPU per batch
   * settles only after some 12 s on this 2-core machine (C2 still compiling before that).
   */
  double publishWarmupSeconds = 20;
  double fanoutWarmupSeconds = 10;
  int idleSubscribers = 10_000;
  int backlogSubscribers = 2_000;
  int backlogRecords = 1_000;
  int bigBacklog = 100_000;
  int bigBacklogBatch = 1_000;
  int bigBacklogTries = 3;
  int keys = 100;
  /** Record padding: about 150-byte lines with the default. */
  int pad = 64;
  int clkTck = 100;
  long pauseMillis = 1000;
  int idleHistogram;

  /**
   * One fan-out load: {@code subscribers} connected, batches published at {@code rate} per second
   * for {@code seconds}.
   */
  record Fanout(int subscribers, double rate, double seconds) {
    /** {@code SUBSxRATExSECONDS}, as {@code --fanout} takes it (and the scenario's id shows it). */
    String spec() {
      return subscribers + "x" + number(rate) + "x" + number(seconds);
    }

    /** {@code 20} rather than {@code 20.0}: the figure as a person would write it. */
    static String number(double v) {
      return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
  }

  /** The records' {@code pad} field: {@link #pad} characters. */
  String padding() {
    return "x".repeat(pad);
  }

  /** The parsed command line; {@link #help} set (and nothing else checked) when {@code --help} is given. */
  static BenchOptions parse(String[] args) {
    BenchOptions o = new BenchOptions();
    Map<String, String> given = named(args);
    if (flag(given, "help")) {
      o.help = true;
      return o;
    }
    if (flag(given, "smoke")) {
      o.smoke();
    }
    o.oneFanout(given.remove("subscribers"), given.remove("rate"), given.remove("seconds"));
    for (Map.Entry<String, String> e : given.entrySet()) {
      o.set(e.getKey(), e.getValue());
    }
    if (o.fanout.isEmpty()) {
      o.fanout.addAll(DEFAULT_FANOUT);
    }
    return o;
  }

  private static boolean flag(Map<String, String> given, String name) {
    return Boolean.parseBoolean(given.getOrDefault(name, "false"));
  }

  /** The arguments by name, in order, the last of a repeated name winning. */
  private static Map<String, String> named(String[] args) {
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
      } else if (FLAGS.contains(name)) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      given.put(name, value);
    }
    return given;
  }

  /**
   * Seconds-long sizes, so that CI can run the bench on every build to keep it working; an option
   * given as well still wins. Both targets unless {@code --target} says otherwise.
   */
  private void smoke() {
    smoke = true;
    fanout.add(new Fanout(50, 5, 2));
    probes = 10;
    warmupSeconds = 0.5;
    pauseMillis = 200;
    warmupSubscribers = 20;
    warmupRate = 5;
    idleSubscribers = 50;
    backlogSubscribers = 50;
    bigBacklog = 5_000;
    bigBacklogTries = 1;
    publish = new Fanout(10, 200, 1);
    publishWarmupSeconds = 0.5;
    fanoutWarmupSeconds = 0;
  }

  /** {@code --subscribers N --rate R --seconds S}: one fan-out load instead of the list. */
  private void oneFanout(String subscribers, String rate, String seconds) {
    if (subscribers == null && rate == null && seconds == null) {
      return;
    }
    fanout.clear();
    fanout.add(new Fanout(
        subscribers == null ? DEFAULT_ONE_FANOUT.subscribers() : Integer.parseInt(subscribers),
        rate == null ? DEFAULT_ONE_FANOUT.rate() : Double.parseDouble(rate),
        seconds == null ? DEFAULT_ONE_FANOUT.seconds() : Double.parseDouble(seconds)));
  }

  private void set(String name, String v) {
    switch (name) {
      case "smoke", "help" -> { }
      case "target" -> target = oneOf(TARGETS, "--target " + String.join("|", TARGETS) + ", not ", v);
      case "host" -> host = v;
      case "syncbus-port" -> syncbusPort = Integer.parseInt(v);
      case "syncbus-pid" -> syncbusPid = Long.parseLong(v);
      case "floor-port" -> floorPort = Integer.parseInt(v);
      case "floor-pid" -> floorPid = Long.parseLong(v);
      case "nchan-port" -> nchanPort = Integer.parseInt(v);
      case "nchan-pid" -> nchanPid = Long.parseLong(v);
      case "bridge-port" -> bridgePort = Integer.parseInt(v);
      case "server-java-opts" -> serverJavaOpts = v;
      case "kinds" -> kinds = listOf(KINDS, "--kinds", v);
      case "publish" -> publish = fanoutList(v).get(0);
      case "fanout" -> fanout = fanoutList(v);
      case "only" -> only = listOf(SCENARIOS, "--only", v);
      case "probes" -> probes = Integer.parseInt(v);
      case "client-threads" -> clientThreads = Integer.parseInt(v);
      case "publishers" -> publishers = Math.max(1, Integer.parseInt(v));
      case "max-inflight" -> maxInFlight = Math.max(1, Integer.parseInt(v));
      case "warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
      case "warmup-subscribers" -> warmupSubscribers = Integer.parseInt(v);
      case "warmup-rate" -> warmupRate = Double.parseDouble(v);
      case "publish-warmup-seconds" -> publishWarmupSeconds = Double.parseDouble(v);
      case "fanout-warmup-seconds" -> fanoutWarmupSeconds = Double.parseDouble(v);
      case "idle-subscribers" -> idleSubscribers = Integer.parseInt(v);
      case "backlog-subscribers" -> backlogSubscribers = Integer.parseInt(v);
      case "backlog-records" -> backlogRecords = Integer.parseInt(v);
      case "big-backlog" -> bigBacklog = Integer.parseInt(v);
      case "big-backlog-batch" -> bigBacklogBatch = Math.max(1, Integer.parseInt(v));
      case "big-backlog-tries" -> bigBacklogTries = Math.max(1, Integer.parseInt(v));
      case "keys" -> keys = Math.max(1, Integer.parseInt(v));
      case "pad" -> pad = Math.max(0, Integer.parseInt(v));
      case "clk-tck" -> clkTck = Integer.parseInt(v);
      case "pause-ms" -> pauseMillis = Math.max(0, Long.parseLong(v));
      case "idle-histogram" -> idleHistogram = Math.max(0, Integer.parseInt(v));
      default -> throw new IllegalArgumentException("unknown option --" + name);
    }
  }

  private static String oneOf(List<String> allowed, String usage, String v) {
    if (!allowed.contains(v)) {
      throw new IllegalArgumentException(usage + v);
    }
    return v;
  }

  /** {@code SUBSxRATE[xSECONDS],…}. */
  private static List<Fanout> fanoutList(String v) {
    List<Fanout> list = new ArrayList<>();
    for (String spec : v.split(",")) {
      String[] p = spec.trim().split("x");
      if (p.length < 2) {
        throw new IllegalArgumentException("--fanout SUBSxRATE[xSECONDS],…, not " + spec);
      }
      list.add(new Fanout(Integer.parseInt(p[0]), Double.parseDouble(p[1]),
          p.length > 2 ? Double.parseDouble(p[2]) : DEFAULT_FANOUT_SECONDS));
    }
    return list;
  }

  /** A comma-separated choice among {@code allowed}, for {@code option}. */
  private static Set<String> listOf(List<String> allowed, String option, String v) {
    Set<String> chosen = new LinkedHashSet<>(Arrays.asList(v.split(",")));
    for (String s : chosen) {
      oneOf(allowed, option + " takes " + String.join(",", allowed) + ", not ", s);
    }
    return chosen;
  }

  /** The {@code --help} text, with the defaults of a fresh instance. */
  static String help() {
    BenchOptions d = new BenchOptions();
    BenchOptions smoke = new BenchOptions();
    smoke.smoke();
    Fanout smokeFanout = smoke.fanout.get(0);
    List<String> fanouts = new ArrayList<>();
    for (Fanout f : DEFAULT_FANOUT) {
      fanouts.add(f.spec());
    }
    return String.join("\n",
        "Usage: scripts/bench [OPTION]…   (the load generator: java … org.syncbus.bench.LoadBench [OPTION]…)",
        "",
        "  --target " + String.join("|", TARGETS) + "",
        "                                   servers to measure (" + d.target + "); both: syncbus and the floor;",
        "                                   all: the floor, syncbus and Nchan; every scenario runs against each",
        "                                   in turn, and the table shows syncbus/nchan and syncbus/floor",
        "  --kinds LIST                     syncbus's subscribers, of " + String.join(",", KINDS) + " (all): a column each",
        "                                   (syncbus, syncbus-sse, syncbus-bridge)",
        "  --smoke                          seconds: " + smokeFanout.subscribers() + " subscribers, "
            + Fanout.number(smokeFanout.rate()) + " batches/s for " + Fanout.number(smokeFanout.seconds()) + " s, a "
            + smoke.backlogRecords + "-record",
        "                                   backlog to " + smoke.backlogSubscribers + ", a " + smoke.bigBacklog
            + "-record backlog (CI runs it)",
        "  --only LIST                      scenarios, of " + String.join(",", SCENARIOS) + " (all)",
        "  --publish SUBSxRATExSECONDS      the publish path's load (" + DEFAULT_PUBLISH.spec() + "; smoke "
            + smoke.publish.spec() + ")",
        "  --fanout SUBSxRATE[xSECONDS],…   fan-out loads (" + String.join(",", fanouts) + "; SECONDS "
            + Fanout.number(DEFAULT_FANOUT_SECONDS) + ")",
        "  --subscribers N --rate R --seconds S",
        "                                   one fan-out load instead (" + DEFAULT_ONE_FANOUT.subscribers() + ", "
            + Fanout.number(DEFAULT_ONE_FANOUT.rate()) + ", " + Fanout.number(DEFAULT_ONE_FANOUT.seconds()) + ")",
        "  --probes N                       latency probes among a fan-out's subscribers (" + d.probes + ")",
        "  --client-threads N               the subscribers' selector threads (" + d.clientThreads + ")",
        "  --publishers N                   publishing keep-alive connections (" + d.publishers + ")",
        "  --max-inflight N                 subscribers waiting for their first line at once (" + d.maxInFlight + ")",
        "  --warmup-seconds S               warm-up fan-out, not reported (" + Fanout.number(d.warmupSeconds)
            + "; 0: none),",
        "  --warmup-subscribers N           with N subscribers (" + d.warmupSubscribers + ")",
        "  --warmup-rate R                  at R batches/s (" + Fanout.number(d.warmupRate) + ")",
        "  --publish-warmup-seconds S       the publish path's load, not reported, before it is measured ("
            + Fanout.number(d.publishWarmupSeconds) + "; smoke " + Fanout.number(smoke.publishWarmupSeconds) + ")",
        "  --fanout-warmup-seconds S        each fan-out's own load, not reported, before it is measured ("
            + Fanout.number(d.fanoutWarmupSeconds) + "; smoke " + Fanout.number(smoke.fanoutWarmupSeconds) + ")",
        "  --idle-subscribers N             idle subscribers for heap and RSS (" + d.idleSubscribers + ")",
        "  --idle-histogram N               log the server's top N classes while they are connected (" + d.idleHistogram
            + ": no)",
        "  --backlog-subscribers N          new subscribers with a backlog (" + d.backlogSubscribers + "),",
        "  --backlog-records N              of N records (" + d.backlogRecords + ")",
        "  --big-backlog N                  records of the big backlog (" + d.bigBacklog + "),",
        "  --big-backlog-batch N            published N per batch (" + d.bigBacklogBatch + "),",
        "  --big-backlog-tries N            median of N new subscribers (" + d.bigBacklogTries + ")",
        "  --keys N                         distinct record ids of a fan-out (" + d.keys + ")",
        "  --pad N                          record padding in characters (" + d.pad + ": ~150-byte lines)",
        "  --pause-ms N                     pause after each measurement, in ms (" + d.pauseMillis + ")",
        "  --host H                         the servers' address (" + d.host + ")",
        "  --help                           this text",
        "",
        "Given by scripts/bench: --syncbus-port N --syncbus-pid N --bridge-port N --floor-port N --floor-pid N",
        "--nchan-port N --nchan-pid N --clk-tck N --server-java-opts OPTS.",
        "Output: a table, then one line BENCH_JSON {…} with every figure. Exit status 0 when everything",
        "was complete, 1 when anything was lost, extra or refused, 2 on bad usage.",
        "");
  }
}
