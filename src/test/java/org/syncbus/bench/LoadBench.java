package org.syncbus.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.syncbus.bench.BenchOptions.Fanout;

/**
 * The load generator of {@code scripts/bench}: syncbus against Nchan and the machine's floor
 * (README, Benchmarks). It runs in its own JVM against servers that run as separate processes
 * (syncbus, the {@link FloorServer}, nginx with Nchan), which {@code scripts/bench} starts,
 * passing their ports and PIDs; so the load generator's work is never counted in a server's CPU
 * or memory.
 *
 * <p>A {@link Target} is a column of the report: a server and the kind of subscriber that reaches
 * it. syncbus has one per kind of {@code --kinds}: {@code syncbus} ({@code /poll}),
 * {@code syncbus-sse} ({@code /events}) and {@code syncbus-bridge} (the TCP bridge), one process
 * for the three. Every step runs against every target it applies to, in turn (the floor, syncbus's
 * columns, Nchan), so that all see the same machine at about the same time:
 * <ol>
 *   <li>a warm-up: a short {@link FanoutScenario fan-out}, not reported, so that the JIT has done
 *       most of its work before anything is measured;
 *   <li>{@link IdleScenario idle}: heap and RSS per idle subscriber, subscribe rate with an empty
 *       backlog;
 *   <li>{@link FanoutScenario fan-out}, for each load of {@code --fanout}: completeness,
 *       deliveries/s, latency, server CPU per delivered line;
 *   <li>{@link PublishScenario publish}: server CPU per published batch (each server's own stream);
 *   <li>{@link BacklogScenario backlog}: subscribe rate with a 1,000-record backlog (a keyed
 *       backlog: not Nchan);
 *   <li>{@link BigBacklogScenario bigbacklog}: a 100,000-record backlog to one new subscriber.
 * </ol>
 * with a pause ({@code --pause-ms}) after each, for the server to notice closed connections.
 * {@code --only} leaves scenarios out; their order stays this one. The options:
 * {@link BenchOptions#help()} ({@code --help}).
 *
 * <p>Output: a running log ({@code # } lines), then {@link BenchReport}'s table and its one line
 * {@code BENCH_JSON {…}} with every figure. Exit status 1 when anything was incomplete (lost or
 * extra lines, refused subscribers, a short backlog, in the warm-up too), 2 on bad usage.
 */
public final class LoadBench {
  private final BenchOptions options;
  private final List<Target> targets = new ArrayList<>();

  private LoadBench(BenchOptions options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("LoadBench: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.print(BenchOptions.help());
      System.exit(0);
    }
    System.exit(new LoadBench(options).run());
  }

  /** The log: one {@code # } line, at once (the bench runs for minutes; progress shows). */
  static void log(String line) {
    System.out.println("# " + line);
    System.out.flush();
  }

  private int run() throws Exception {
    addTargets();
    long started = System.nanoTime();
    for (Target t : targets) {
      t.server.awaitReady();
    }
    log("targets: " + describeTargets() + "; " + Runtime.getRuntime().availableProcessors() + " CPUs"
        + "; server JVMs: " + options.serverJavaOpts);
    boolean whole = warmUp();
    // By id: a load given twice runs twice and is reported once, with its later figures. A
    // scenario that applies to none of the targets (publish with only --kinds bridge) is not.
    Map<String, Scenario> reported = new LinkedHashMap<>();
    for (Scenario s : scenarios()) {
      whole &= runAgainstEveryTarget(s);
      if (!s.byTarget().isEmpty()) {
        reported.put(s.id, s);
      }
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    new BenchReport(options, targets, reported.values(), whole, elapsed).print();
    return whole ? 0 : 1;
  }

  /** The floor, syncbus's kinds, then Nchan, as {@code --target} and {@code --kinds} say. */
  private void addTargets() {
    String which = options.target;
    if (which.equals("floor") || which.equals("both") || which.equals("all")) {
      Server floor = server(Server.Software.FLOOR, Target.FLOOR, options.floorPort, options.floorPid);
      targets.add(new Target(Target.FLOOR, floor, Wire.poll(floor.address), true));
    }
    if (which.equals("syncbus") || which.equals("both") || which.equals("all")) {
      addSyncbus(server(Server.Software.SYNCBUS, Target.SYNCBUS, options.syncbusPort, options.syncbusPid));
    }
    if (which.equals("nchan") || which.equals("all")) {
      Server nchan = server(Server.Software.NCHAN, Target.NCHAN, options.nchanPort, options.nchanPid);
      targets.add(new Target(Target.NCHAN, nchan, Wire.rawStream(nchan.address, Server.NCHAN_SUBSCRIBE_PATH), true));
    }
  }

  private void addSyncbus(Server syncbus) {
    if (options.kinds.contains("poll")) {
      targets.add(new Target(Target.SYNCBUS, syncbus, Wire.poll(syncbus.address), true));
    }
    if (options.kinds.contains("events")) {
      targets.add(new Target(Target.SYNCBUS + "-sse", syncbus, Wire.events(syncbus.address), false));
    }
    if (options.kinds.contains("bridge")) {
      if (options.bridgePort <= 0) {
        throw new IllegalArgumentException("--bridge-port is needed for --kinds bridge");
      }
      Wire bridge = Wire.bridge(new InetSocketAddress(options.host, options.bridgePort), Wire.subscriberJwt());
      targets.add(new Target(Target.SYNCBUS + "-bridge", syncbus, bridge, false));
    }
  }

  private Server server(Server.Software software, String name, int port, long pid) {
    if (port <= 0) {
      throw new IllegalArgumentException("--" + name + "-port is needed for --target " + options.target);
    }
    return new Server(software, new InetSocketAddress(options.host, port), pid, options.clkTck);
  }

  private String describeTargets() {
    List<String> parts = new ArrayList<>();
    for (Target t : targets) {
      parts.add(t.describe());
    }
    return String.join(", ", parts);
  }

  /** A fan-out per target, not reported; returns whether everything arrived. */
  private boolean warmUp() throws Exception {
    if (options.warmupSeconds <= 0) {
      return true;
    }
    Fanout load = new Fanout(options.warmupSubscribers, options.warmupRate, options.warmupSeconds);
    FanoutScenario warmUp = FanoutScenario.warmUp(options, load);
    boolean whole = true;
    for (Target t : targets) {
      log("warm-up " + t.name + ": " + options.warmupSubscribers + " subscribers, " + options.warmupRate
          + " batches/s, " + options.warmupSeconds + " s");
      whole &= warmUp.measure(t).whole();
      pause();
    }
    return whole;
  }

  /** The scenarios {@code --only} keeps, in the bench's order (idle first: see {@link IdleScenario}). */
  private List<Scenario> scenarios() {
    List<Scenario> list = new ArrayList<>();
    if (options.only.contains("idle")) {
      list.add(new IdleScenario(options));
    }
    if (options.only.contains("fanout")) {
      for (Fanout load : options.fanout) {
        list.add(new FanoutScenario(options, load));
      }
    }
    if (options.only.contains("publish")) {
      list.add(new PublishScenario(options, options.publish));
    }
    if (options.only.contains("backlog")) {
      list.add(new BacklogScenario(options));
    }
    if (options.only.contains("bigbacklog")) {
      list.add(new BigBacklogScenario(options));
    }
    return list;
  }

  private boolean runAgainstEveryTarget(Scenario s) throws Exception {
    boolean whole = true;
    for (Target t : targets) {
      if (!s.appliesTo(t)) {
        continue;
      }
      log(s.title + " -> " + t.name);
      whole &= s.runAgainst(t);
      pause();
    }
    return whole;
  }

  /** Lets the server notice closed connections before the next measurement. */
  private void pause() throws InterruptedException {
    Thread.sleep(options.pauseMillis);
  }
}
