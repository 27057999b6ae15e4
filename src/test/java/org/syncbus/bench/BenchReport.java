package org.syncbus.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.syncbus.bench.Scenario.Goal;
import org.syncbus.bench.Scenario.Row;

/**
 * What a run found, for people and for scripts: a table per scenario (one column per target, then
 * the ratios syncbus/nchan and syncbus/floor when those ran), the benchmark's targets (README,
 * Benchmarks) judged on each syncbus column's figures, the overall result, then one line
 * {@code BENCH_JSON {…}} with every figure, ratio and target (keys: {@code config},
 * {@code results}, {@code ratios} (by scenario, then {@code "syncbus-sse/nchan"} and the like:
 * every syncbus column against Nchan and the floor), {@code targets}, {@code complete},
 * {@code elapsedSeconds}).
 *
 * <p>The targets are informative: nothing fails on them (CI runs only {@code --smoke}, whose
 * sizes are far from the benchmark's, so the table does not even show them then).
 */
final class BenchReport {
  /** Figures with three decimals at most: the table and the JSON show no more than that. */
  private static final double PRECISION = 1000;
  private static final String METRIC_COLUMN = "%-42s";
  /** Wide enough for the longest column name, {@code syncbus-bridge}, and a space. */
  private static final String VALUE_COLUMN = "%15s";
  /** The servers syncbus's columns are compared with, in the order of the ratio columns. */
  private static final List<String> REFERENCES = List.of(Target.NCHAN, Target.FLOOR);
  /** The JSON writer: figures are numbers, or null when unknown (JSON has no NaN). */
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule().addSerializer(Double.class, new FigureSerializer()));

  private final BenchOptions options;
  private final List<String> targets = new ArrayList<>();
  private final List<String> syncbusColumns = new ArrayList<>();
  private final Collection<Scenario> scenarios;
  private final boolean whole;
  private final double elapsedSeconds;
  private final List<Goal> goals;

  /**
   * @param targets the targets, in the order they ran
   * @param whole whether everything arrived, in every scenario and the warm-up
   */
  BenchReport(BenchOptions options, List<Target> targets, Collection<Scenario> scenarios, boolean whole,
      double elapsedSeconds) {
    this.options = options;
    for (Target t : targets) {
      this.targets.add(t.name);
      if (t.isSyncbus()) {
        syncbusColumns.add(t.name);
      }
    }
    this.scenarios = scenarios;
    this.whole = whole;
    this.elapsedSeconds = elapsedSeconds;
    this.goals = goals();
  }

  /** Prints the table, then the {@code BENCH_JSON} line. */
  void print() throws JsonProcessingException {
    System.out.print(table());
    System.out.flush();
    System.out.println("BENCH_JSON " + json());
    System.out.flush();
  }

  /** {@code v} rounded to three decimals; NaN when it is not finite (so it shows as unknown). */
  static Double round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.NaN;
    }
    return Math.round(v * PRECISION) / PRECISION;
  }

  /** {@code a / b} when both are known numbers (booleans are not) and b is not 0; else null. */
  static Double ratio(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      double d = y.doubleValue();
      if (d == 0 || Double.isNaN(d) || Double.isNaN(x.doubleValue())) {
        return null;
      }
      return x.doubleValue() / d;
    }
    return null;
  }

  /** The benchmark's targets, for every scenario and every syncbus column it ran against. */
  private List<Goal> goals() {
    List<Goal> all = new ArrayList<>();
    for (Scenario s : scenarios) {
      for (String column : syncbusColumns) {
        Map<String, Object> syncbus = s.figures(column);
        if (syncbus != null) {
          all.addAll(s.goals(column, syncbus, s.figures(Target.NCHAN), s.figures(Target.FLOOR)));
        }
      }
    }
    return all;
  }

  // --- the table -------------------------------------------------------------------------------

  String table() {
    StringBuilder out = new StringBuilder("\n");
    out.append(String.format(Locale.ROOT,
        "syncbus load bench (%s%s): %d CPUs, client %d selector threads, %d publisher connection(s), %.0f s%n",
        options.target, options.smoke ? ", smoke" : "", Runtime.getRuntime().availableProcessors(),
        options.clientThreads, options.publishers, elapsedSeconds));
    out.append("server JVMs: ").append(options.serverJavaOpts.isEmpty() ? "-" : options.serverJavaOpts).append('\n');
    for (Scenario s : scenarios) {
      appendSection(out, s);
    }
    appendGoals(out);
    out.append('\n').append(whole
        ? "RESULT: complete (every subscriber received every batch, every backlog whole)"
        : "RESULT: INCOMPLETE (something was lost or refused; see MISSING above)").append('\n');
    return out.toString();
  }

  /** The ratio columns: syncbus (its own stream) to each reference that ran. */
  private List<String> ratioColumns() {
    List<String> references = new ArrayList<>();
    if (targets.contains(Target.SYNCBUS)) {
      for (String reference : REFERENCES) {
        if (targets.contains(reference)) {
          references.add(reference);
        }
      }
    }
    return references;
  }

  private void appendSection(StringBuilder out, Scenario s) {
    out.append('\n').append("== ").append(s.title).append(" ==\n");
    out.append(String.format(Locale.ROOT, METRIC_COLUMN, "metric"));
    for (String name : targets) {
      out.append(String.format(Locale.ROOT, VALUE_COLUMN, name));
    }
    for (String reference : ratioColumns()) {
      out.append(String.format(Locale.ROOT, VALUE_COLUMN, Target.SYNCBUS + "/" + reference));
    }
    out.append('\n');
    for (Row row : s.rows()) {
      appendRow(out, s, row);
    }
  }

  private void appendRow(StringBuilder out, Scenario s, Row row) {
    out.append(String.format(Locale.ROOT, METRIC_COLUMN, row.label()));
    for (String name : targets) {
      out.append(String.format(Locale.ROOT, VALUE_COLUMN, cell(value(s, name, row))));
    }
    for (String reference : ratioColumns()) {
      Double r = ratio(value(s, Target.SYNCBUS, row), value(s, reference, row));
      out.append(String.format(Locale.ROOT, VALUE_COLUMN, r == null ? "" : String.format(Locale.ROOT, "%.2f", r)));
    }
    out.append('\n');
  }

  /** The figure of {@code row} for the target {@code name}; null when the scenario did not run against it. */
  private static Object value(Scenario s, String name, Row row) {
    Map<String, Object> figures = s.figures(name);
    return figures == null ? null : figures.get(row.key());
  }

  /** A figure in 14 characters: 3 significant digits or so, yes/NO, "-" when unknown. */
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
      return s.length() > 14 ? s.substring(0, 13) + "…" : s;
    }
    return v.toString();
  }

  private void appendGoals(StringBuilder out) {
    if (options.smoke) {
      out.append("\n(smoke: the benchmark's targets are not evaluated at this size)\n");
    } else if (!goals.isEmpty()) {
      out.append("\n== the benchmark's targets (informative; CI never checks them) ==\n");
      for (Goal g : goals) {
        out.append(String.format(Locale.ROOT, "%-5s %-74s %s%n", g.pass() ? "PASS" : "FAIL", g.target(), g.measured()));
      }
    }
  }

  // --- BENCH_JSON ------------------------------------------------------------------------------

  String json() throws JsonProcessingException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("config", config());
    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("title", s.title);
      r.putAll(s.byTarget());
      results.put(s.id, r);
      Map<String, Object> scenarioRatios = new LinkedHashMap<>();
      for (String column : syncbusColumns) {
        for (String reference : REFERENCES) {
          Map<String, Object> syncbus = s.figures(column);
          Map<String, Object> other = s.figures(reference);
          if (syncbus != null && other != null) {
            scenarioRatios.put(column + "/" + reference, ratios(s.rows(), syncbus, other));
          }
        }
      }
      if (!scenarioRatios.isEmpty()) {
        ratios.put(s.id, scenarioRatios);
      }
    }
    root.put("results", results);
    if (!ratios.isEmpty()) {
      root.put("ratios", ratios);
    }
    root.put("targets", options.smoke ? List.of() : goals);
    root.put("complete", whole);
    root.put("elapsedSeconds", round(elapsedSeconds));
    return JSON.writeValueAsString(root);
  }

  private Map<String, Object> config() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("target", options.target);
    config.put("columns", targets);
    config.put("serverJavaOpts", options.serverJavaOpts);
    config.put("smoke", options.smoke);
    config.put("cpus", Runtime.getRuntime().availableProcessors());
    config.put("clientThreads", options.clientThreads);
    config.put("publishers", options.publishers);
    config.put("probes", options.probes);
    config.put("maxInFlight", options.maxInFlight);
    config.put("keys", options.keys);
    config.put("pad", options.pad);
    config.put("warmupSeconds", options.warmupSeconds);
    config.put("fanoutWarmupSeconds", options.fanoutWarmupSeconds);
    config.put("clkTck", options.clkTck);
    return config;
  }

  /** syncbus/other for every row that has a ratio (numbers on both sides, the other's not 0). */
  private static Map<String, Object> ratios(List<Row> rows, Map<String, Object> syncbus, Map<String, Object> other) {
    Map<String, Object> ratios = new LinkedHashMap<>();
    for (Row row : rows) {
      Double x = ratio(syncbus.get(row.key()), other.get(row.key()));
      if (x != null) {
        ratios.put(row.key(), round(x));
      }
    }
    return ratios;
  }

  /**
   * A figure as the JSON shows it: null when not finite (JSON has no NaN or infinity), an integer
   * when it is one (5, not 5.0: rates and sizes given as doubles read as they were given).
   */
  private static final class FigureSerializer extends JsonSerializer<Double> {
    /** Beyond this, a double's integer value is no longer exact enough to print as one. */
    private static final double LARGEST_INTEGER = 1e15;

    @Override
    public void serialize(Double d, JsonGenerator out, SerializerProvider provider) throws IOException {
      if (d.isNaN() || d.isInfinite()) {
        out.writeNull();
      } else if (d == Math.rint(d) && Math.abs(d) < LARGEST_INTEGER) {
        out.writeNumber(d.longValue());
      } else {
        out.writeNumber(d.doubleValue());
      }
    }
  }
}
