package org.syncbus.bench;

import static org.syncbus.bench.BenchReport.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Idle subscribers: the server's heap (after {@code jcmd GC.run}, from {@code GC.heap_info}; a
 * JVM's only) and RSS (nginx's master and worker together) before and after connecting N
 * subscribers with an empty backlog, per subscriber, and the RSS with them connected. It runs
 * first, so that RSS growth is not hidden by pages an earlier scenario already touched (syncbus's
 * second and third kinds of subscriber come after its first, so their RSS growth per subscriber
 * reads low; their heap does not). The same connect, timed, is the subscribe rate with an empty
 * backlog. With {@code --idle-histogram N} it logs the server's top N classes while they are
 * connected: what a subscriber is made of.
 */
final class IdleScenario extends Scenario {
  private static final List<Row> ROWS = List.of(
      new Row("served", "subscribers served"),
      new Row("connectSeconds", "connected and served [] in (s)"),
      new Row("subscribeRate", "subscribe rate, empty backlog (/s)"),
      new Row("heapBytesPerSubscriber", "heap per idle subscriber (B)"),
      new Row("rssBytesPerSubscriber", "RSS per idle subscriber (B)"),
      new Row("heapBeforeKB", "heap before (KB)"),
      new Row("heapAfterKB", "heap after (KB)"),
      new Row("rssAfterKB", "RSS with them connected (KB)"));

  private final int subscribers;

  IdleScenario(BenchOptions options) {
    super("idle", "idle subscribers: " + options.idleSubscribers + " with an empty backlog (memory, subscribe rate)",
        options);
    this.subscribers = options.idleSubscribers;
  }

  @Override
  Result measure(Target target) throws Exception {
    target.server.reset();
    ProcessProbe.Memory before = target.server.probe.memory();
    Subscribers s = target.subscribers(options.clientThreads, false);
    double seconds;
    ProcessProbe.Memory after;
    try (s) {
      s.open(subscribers, 0, options.maxInFlight);
      s.awaitFirstLines(FIRST_LINES_TIMEOUT_MILLIS);
      seconds = s.firstLineSeconds();
      Thread.sleep(500);
      after = target.server.probe.memory();
      logHistogram(target);
    }
    return result(target, s.stats(0), seconds, before, after);
  }

  private void logHistogram(Target target) throws Exception {
    if (options.idleHistogram > 0) {
      for (String line : target.server.probe.classHistogram(options.idleHistogram)) {
        LoadBench.log("  " + target.name + " heap: " + line);
      }
    }
  }

  private Result result(Target target, Subscribers.Stats st, double seconds, ProcessProbe.Memory before,
      ProcessProbe.Memory after) {
    long served = Math.max(1, st.served);
    long heapBefore = before.heapBytes();
    long heapAfter = after.heapBytes();
    long rssPerSubscriber = (after.rssBytes() - before.rssBytes()) / served;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subscribers", subscribers);
    m.put("served", st.served);
    m.put("subscribersFailed", st.failed);
    m.put("connectSeconds", round(seconds));
    m.put("subscribeRate", round(st.served / nonZero(seconds)));
    m.put("heapBeforeKB", heapBefore < 0 ? null : heapBefore / 1024);
    m.put("heapAfterKB", heapAfter < 0 ? null : heapAfter / 1024);
    m.put("heapBytesPerSubscriber", heapBefore < 0 || heapAfter < 0 ? null : (heapAfter - heapBefore) / served);
    m.put("rssBeforeKB", before.rssBytes() / 1024);
    m.put("rssAfterKB", after.rssBytes() / 1024);
    m.put("rssBytesPerSubscriber", rssPerSubscriber);
    m.put("complete", st.failed == 0);
    if (st.failed > 0) {
      LoadBench.log("  INCOMPLETE: " + st.failed + " subscribers got no first line"
          + (st.error == null ? "" : " (" + st.error + ")"));
    }
    LoadBench.log(String.format(Locale.ROOT,
        "  %s: %d subscribers in %.3f s, heap %s B/subscriber, RSS %d B/subscriber", target.name, st.served, seconds,
        Objects.toString(m.get("heapBytesPerSubscriber"), "-"), rssPerSubscriber));
    return new Result(m, st.failed == 0);
  }

  @Override
  List<Row> rows() {
    return ROWS;
  }

  /**
   * At most 3 KB of heap per idle subscriber (after a GC); the RSS with them connected at most
   * twice Nchan's (when Nchan ran); 10,000 subscribers served an empty backlog within 3 s, or,
   * with fewer, the same rate (3,333 per second).
   */
  @Override
  List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan, Map<String, Object> floor) {
    List<Goal> goals = new ArrayList<>();
    Object heap = syncbus.get("heapBytesPerSubscriber");
    goals.add(new Goal("<= 3 KB heap per idle subscriber (" + column + ")",
        heap instanceof Number n && n.longValue() <= 3072, heap + " B"));
    if (nchan != null) {
      goals.add(atMost("RSS with " + subscribers + " idle subscribers <= 2x Nchan's (" + column + ")", "rssAfterKB",
          "KB", 2, syncbus, Target.NCHAN, nchan));
    }
    double secs = number(syncbus, "connectSeconds");
    double rate = number(syncbus, "subscribeRate");
    if (subscribers >= 10000) {
      goals.add(new Goal("10,000 subscribers served an empty backlog in <= 3 s (" + column + ")",
          secs <= 3 && isTrue(syncbus.get("complete")),
          String.format(Locale.ROOT, "%d in %.2f s", subscribers, secs)));
    } else {
      goals.add(new Goal("empty-backlog subscribe rate >= 3,333/s (" + column + ")", rate >= 10000 / 3.0,
          String.format(Locale.ROOT, "%.0f/s (%d subscribers only)", rate, subscribers)));
    }
    return goals;
  }
}
