package org.syncbus.bench;

import static org.syncbus.bench.BenchReport.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A big backlog: the time from connecting to the complete first line for one new subscriber
 * when the backlog holds K records (published in batches beforehand, that rate reported too);
 * the median of a few tries, one subscriber at a time.
 */
final class BigBacklogScenario extends Scenario {
  private static final long FIRST_LINE_TIMEOUT_MILLIS = 120_000;
  private static final List<Row> ROWS = List.of(
      new Row("medianMs", "connect -> complete backlog, median (ms)"),
      new Row("minMs", "connect -> complete backlog, best (ms)"),
      new Row("triesMs", "tries (ms)"),
      new Row("recordsReceived", "records received"),
      new Row("publishRecordsPerSec", "records published/s while loading"));

  private final int records;

  BigBacklogScenario(BenchOptions options) {
    super("bigbacklog_" + options.bigBacklog, "big backlog: " + options.bigBacklog
        + " records to one new subscriber (" + options.bigBacklogTries + " tries)", options);
    this.records = options.bigBacklog;
  }

  /** One try: milliseconds to the complete first line, the records it held, whether that was all. */
  private record Try(double millis, long records, boolean whole) { }

  /**
   * Also empties the backlog again afterwards, so that the server does not hold K records (and
   * their memory) while the next target is measured.
   */
  @Override
  Result measure(Target target) throws Exception {
    target.server.reset();
    long p0 = System.nanoTime();
    target.server.publishRecords(records, options.bigBacklogBatch, options.padding());
    double publishSeconds = (System.nanoTime() - p0) / 1e9;
    List<Double> tries = new ArrayList<>();
    boolean complete = true;
    long received = 0;
    for (int i = 0; i < options.bigBacklogTries; i++) {
      Try t = oneTry(target, i + 1);
      complete &= t.whole();
      tries.add(t.millis());
      received = t.records();
      Thread.sleep(200);
    }
    List<Double> sorted = new ArrayList<>(tries);
    sorted.sort(null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("records", records);
    m.put("publishSeconds", round(publishSeconds));
    m.put("publishRecordsPerSec", round(records / nonZero(publishSeconds)));
    m.put("triesMs", tries);
    m.put("medianMs", sorted.get(sorted.size() / 2));
    m.put("minMs", sorted.get(0));
    m.put("recordsReceived", received);
    m.put("complete", complete);
    LoadBench.log(String.format(Locale.ROOT, "  %s: %s ms (published in %.2f s)", target.name, tries, publishSeconds));
    target.server.reset();
    return new Result(m, complete);
  }

  /** One new subscriber, alone, until its first line (the whole backlog) is in. */
  private Try oneTry(Target target, int number) throws Exception {
    Subscribers s = target.subscribers(1, true);
    try (s) {
      s.open(1, 0, 1);
      s.awaitFirstLines(FIRST_LINE_TIMEOUT_MILLIS);
    }
    Subscribers.Stats st = s.stats(0);
    boolean whole = st.served == 1 && st.minRecords == records;
    if (!whole) {
      LoadBench.log("  INCOMPLETE: try " + number + ": served " + st.served + ", records " + st.minRecords + " of "
          + records + (st.error == null ? "" : " (" + st.error + ")"));
    }
    return new Try(round(st.firstLineSeconds * 1000), st.minRecords, whole);
  }

  @Override
  boolean appliesTo(Target target) {
    return target.ownStream && target.server.software.keyedBacklog;
  }

  @Override
  List<Row> rows() {
    return ROWS;
  }

  /** The backlog to a new subscriber within 200 ms (median), whole. */
  @Override
  List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan, Map<String, Object> floor) {
    double ms = number(syncbus, "medianMs");
    return List.of(new Goal(records + "-record backlog to a new subscriber in <= 200 ms",
        ms <= 200 && isTrue(syncbus.get("complete")), String.format(Locale.ROOT, "median %.1f ms", ms)));
  }
}
