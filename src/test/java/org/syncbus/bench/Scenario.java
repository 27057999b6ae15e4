package org.syncbus.bench;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One scenario of the bench, in one place: how it loads a target and what it measures
 * ({@link #measure}), which of its figures the table shows ({@link #rows}), and what the
 * benchmark's targets (README, Benchmarks) expect of them ({@link #goals}). It keeps the figures
 * of every target it ran against, in the order they ran, for {@link BenchReport}.
 *
 * <p>Every measurement starts by emptying the target's backlog, so that the scenarios do not
 * depend on each other's leftovers.
 */
abstract class Scenario {
  /**
   * How long subscribers get for their first line before the scenario goes on without the
   * stragglers (counted as failed): 10,000 of them on a busy machine take a while.
   */
  static final long FIRST_LINES_TIMEOUT_MILLIS = 180_000;

  /** One line of the table: a figure's key in the results, and what it is called. */
  record Row(String key, String label) { }

  /** One of the benchmark's targets, judged on what one of syncbus's columns measured (and Nchan's or the floor's). */
  @JsonPropertyOrder({"target", "pass", "measured"})
  record Goal(String target, boolean pass, String measured) { }

  /**
   * What one run against one target measured: the figures, by key (JSON values, in the order the
   * JSON shows them), and whether everything arrived (false when anything was lost, extra or
   * refused: the bench then exits 1).
   */
  record Result(Map<String, Object> figures, boolean whole) { }

  /** The key of its figures in {@code BENCH_JSON}; from its parameters, so a load given twice shares it. */
  final String id;
  /** What it is, with its parameters: the table's section heading and the log's. */
  final String title;
  final BenchOptions options;
  private final Map<String, Map<String, Object>> byTarget = new LinkedHashMap<>();

  Scenario(String id, String title, BenchOptions options) {
    this.id = id;
    this.title = title;
    this.options = options;
  }

  /** Loads {@code target} as the scenario says and returns what it measured (also logged). */
  abstract Result measure(Target target) throws Exception;

  /** The figures the table shows, in order; the JSON ratios are of these too. */
  abstract List<Row> rows();

  /**
   * The benchmark's targets for this scenario, judged on the figures of the syncbus column
   * {@code column}, with Nchan's and the floor's beside them (null when they did not run).
   */
  abstract List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan,
      Map<String, Object> floor);

  /**
   * Whether the scenario means something for {@code target}: every target, unless the scenario
   * says otherwise (the backlog scenarios need a keyed backlog, which Nchan does not keep).
   */
  boolean appliesTo(Target target) {
    return true;
  }

  /** {@link #measure}s {@code target} and keeps its figures; returns whether everything arrived. */
  final boolean runAgainst(Target target) throws Exception {
    Result result = measure(target);
    byTarget.put(target.name, result.figures());
    return result.whole();
  }

  /** The figures of the target called {@code name}; null when the scenario did not run against it. */
  Map<String, Object> figures(String name) {
    return byTarget.get(name);
  }

  /** Every target's figures, by target name, in the order they ran. */
  Map<String, Map<String, Object>> byTarget() {
    return Collections.unmodifiableMap(byTarget);
  }

  static boolean isTrue(Object figure) {
    return Boolean.TRUE.equals(figure);
  }

  /** A figure known to be a number. */
  static double number(Map<String, Object> figures, String key) {
    return ((Number) figures.get(key)).doubleValue();
  }

  /**
   * {@code key} of {@code syncbus} at most {@code factor} times the same of {@code reference}
   * (called {@code referenceName}); {@code label} names the goal.
   */
  static Goal atMost(String label, String key, String unit, double factor, Map<String, Object> syncbus,
      String referenceName, Map<String, Object> reference) {
    Double r = BenchReport.ratio(syncbus.get(key), reference.get(key));
    return new Goal(label, r != null && r <= factor,
        String.format(Locale.ROOT, "%s %s vs %s's %s %s = %s", syncbus.get(key), unit, referenceName,
            reference.get(key), unit, r == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", r)));
  }

  /** Seconds, never 0: a divisor. */
  static double nonZero(double seconds) {
    return Math.max(1e-9, seconds);
  }
}
