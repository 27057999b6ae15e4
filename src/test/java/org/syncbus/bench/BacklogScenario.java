package org.syncbus.bench;

import static org.syncbus.bench.BenchReport.round;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Subscribing with a backlog: the rate at which M new subscribers get their first line when it
 * holds a backlog of K records (published 100 per batch beforehand), and that every one of them
 * got all K records.
 */
final class BacklogScenario extends Scenario {
  /** Records per batch when loading the backlog: its publishing is not what is measured. */
  private static final int RECORDS_PER_BATCH = 100;
  private static final List<Row> ROWS = List.of(
      new Row("served", "subscribers served"),
      new Row("seconds", "all first lines in (s)"),
      new Row("subscribeRate", "subscribe rate (/s)"),
      new Row("recordsMin", "records per backlog, min"),
      new Row("complete", "complete"));

  private final int subscribers;
  private final int records;

  BacklogScenario(BenchOptions options) {
    super("backlog_" + options.backlogRecords, "subscribe: " + options.backlogSubscribers
        + " new subscribers with a " + options.backlogRecords + "-record backlog", options);
    this.subscribers = options.backlogSubscribers;
    this.records = options.backlogRecords;
  }

  @Override
  Result measure(Target target) throws Exception {
    target.server.reset();
    target.server.publishRecords(records, RECORDS_PER_BATCH, options.padding());
    Subscribers s = target.subscribers(options.clientThreads, true);
    try (s) {
      s.open(subscribers, 0, options.maxInFlight);
      s.awaitFirstLines(FIRST_LINES_TIMEOUT_MILLIS);
    }
    Subscribers.Stats st = s.stats(0);
    boolean complete = st.failed == 0 && st.minRecords == records && st.maxRecords == records;
    double rate = st.served / nonZero(st.firstLineSeconds);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subscribers", subscribers);
    m.put("records", records);
    m.put("served", st.served);
    m.put("subscribersFailed", st.failed);
    m.put("seconds", round(st.firstLineSeconds));
    m.put("subscribeRate", round(rate));
    m.put("recordsMin", st.minRecords);
    m.put("recordsMax", st.maxRecords);
    m.put("complete", complete);
    if (!complete) {
      LoadBench.log("  INCOMPLETE: failed " + st.failed + ", records per backlog " + st.minRecords + ".."
          + st.maxRecords + " of " + records + (st.error == null ? "" : " (" + st.error + ")"));
    }
    LoadBench.log(String.format(Locale.ROOT, "  %s: %d subscribers in %.3f s (%.0f/s)", target.name, st.served,
        st.firstLineSeconds, rate));
    return new Result(m, complete);
  }

  @Override
  boolean appliesTo(Target target) {
    return target.ownStream && target.server.software.keyedBacklog;
  }

  @Override
  List<Row> rows() {
    return ROWS;
  }

  /** At least 2,000 new subscribers per second, each with the whole backlog. */
  @Override
  List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan, Map<String, Object> floor) {
    double rate = number(syncbus, "subscribeRate");
    return List.of(new Goal(">= 2,000 new subscribers/s with a " + records + "-record backlog",
        rate >= 2000 && isTrue(syncbus.get("complete")), String.format(Locale.ROOT, "%.0f/s", rate)));
  }
}
