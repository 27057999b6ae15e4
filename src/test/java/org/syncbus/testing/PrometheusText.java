package org.syncbus.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A {@code /metrics} answer read by the Prometheus client's own parser (Debian's
 * {@code python3-prometheus-client}, run by {@code src/test/python/parse_metrics.py}), as a
 * Prometheus server reads it: text that does not parse fails the test.
 */
public final class PrometheusText {
  /** Debian's interpreter, where Debian's package is; another {@code python3} may not see it. */
  private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  /** One sample: its name (with {@code _total}, {@code _bucket}, …), labels and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = samples;
  }

  /** Parses {@code text}; {@code dir} holds the parser's input and output. */
  public static PrometheusText parse(String text, Path dir) throws IOException, InterruptedException {
    Path input = Files.writeString(Files.createTempFile(dir, "metrics", ".txt"), text);
    Path output = Files.createTempFile(dir, "samples", ".ndjson");
    ProcessBuilder builder = new ProcessBuilder(PYTHON, "src/test/python/parse_metrics.py")
        .redirectInput(input.toFile()).redirectOutput(output.toFile()).redirectErrorStream(false)
        .redirectError(dir.resolve("parse-errors.txt").toFile());
    Process process = builder.start();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the Prometheus parser did not finish");
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("the Prometheus parser refused the text: "
          + Files.readString(dir.resolve("parse-errors.txt")) + "\n" + text);
    }
    List<Sample> samples = Files.readAllLines(output, StandardCharsets.UTF_8).stream().map(JsonObject::new)
        .map(json -> new Sample(json.getString("name"), labels(json.getJsonObject("labels")), json.getDouble("value")))
        .toList();
    return new PrometheusText(samples);
  }

  private static Map<String, String> labels(JsonObject json) {
    return json.getMap().entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, entry -> String.valueOf(entry.getValue())));
  }

  /** The value of the sample {@code name} whose labels include {@code labels} (pairs: key, value); empty if none. */
  public OptionalDouble value(String name, String... labels) {
    return samples.stream()
        .filter(sample -> sample.name().equals(name) && hasLabels(sample, labels))
        .mapToDouble(Sample::value).findFirst();
  }

  /** The sum of every sample {@code name} whose labels include {@code labels} (0 if none). */
  public double sum(String name, String... labels) {
    return samples.stream()
        .filter(sample -> sample.name().equals(name) && hasLabels(sample, labels))
        .mapToDouble(Sample::value).sum();
  }

  /** The value as {@link #value}; fails when there is no such sample. */
  public double get(String name, String... labels) {
    return value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels)
        + " among " + samples.stream().map(Sample::name).distinct().toList()));
  }

  public List<Sample> samples() {
    return samples;
  }

  private static boolean hasLabels(Sample sample, String[] labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
