package org.syncbus.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.syncbus.bench.BenchOptions.Fanout;

/**
 * The load generator of {@code scripts/bench}: syncbus against the machine's floor (README,
 * Benchmarks). It runs in its own JVM against servers that run as separate processes (syncbus,
 * and the {@link FloorServer}), which {@code scripts/bench} starts, passing their ports and PIDs;
 * so the load generator's work is never counted in a server's CPU or memory.
 *
 * <p>Per target, in this order (with {@code --target both} each step runs against syncbus, then
 * against the floor, alternately, so that both see the same machine at about the same time):
 * <ol>
 *   <li>a warm-up: a short {@link FanoutScenario fan-out}, not reported, so that the JIT has done
 *       most of its work before anything is measured;
 *   <li>{@link IdleScenario idle}: heap and RSS per idle subscriber, subscribe rate with an empty
 *       backlog;
 *   <li>{@link FanoutScenario fan-out}, for each load of {@code --fanout}: completeness,
 *       deliveries/s, latency, server CPU per delivered line;
 *   <li>{@link BacklogScenario backlog}: subscribe rate with a 1,000-record backlog;
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
      t.awaitReady();
    }
    log("targets: " + describeTargets() + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
    boolean whole = warmUp();
    // By id: a load given twice runs twice and is reported once, with its later figures.
    Map<String, Scenario> reported = new LinkedHashMap<>();
    for (Scenario s : scenarios()) {
      reported.put(s.id, s);
      whole &= runAgainstEveryTarget(s);
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    new BenchReport(options, targetNames(), reported.values(), whole, elapsed).print();
    return whole ? 0 : 1;
  }

  /** syncbus, then the floor, as {@code --target} says. */
  private void addTargets() {
    if (!options.target.equals("floor")) {
      targets.add(target("syncbus", options.syncbusPort, options.syncbusPid, false));
    }
    if (!options.target.equals("syncbus")) {
      targets.add(target("floor", options.floorPort, options.floorPid, true));
    }
  }

  private Target target(String name, int port, long pid, boolean floor) {
    if (port <= 0) {
      throw new IllegalArgumentException("--" + name + "-port is needed for --target " + options.target);
    }
    return new Target(name, new InetSocketAddress(options.host, port), pid, floor, options.clkTck);
  }

  private String describeTargets() {
    List<String> parts = new ArrayList<>();
    for (Target t : targets) {
      parts.add(t.describe());
    }
    return String.join(", ", parts);
  }

  private List<String> targetNames() {
    List<String> names = new ArrayList<>();
    for (Target t : targets) {
      names.add(t.name);
    }
    return names;
  }

  /** A fan-out per target, not reported; returns whether everything arrived. */
  private boolean warmUp() throws Exception {
    if (options.warmupSeconds <= 0) {
      return true;
    }
    Fanout load = new Fanout(options.warmupSubscribers, options.warmupRate, options.warmupSeconds);
    FanoutScenario warmUp = new FanoutScenario(options, load);
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
