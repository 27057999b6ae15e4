package org.syncbus.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.KeyedQueue;
import org.syncbus.queue.Update;

/**
 * What the owner does with every batch: parse and validate it, apply it to a 10,000-record
 * backlog, and encode it once (its elements and its line).
 *
 * <p>Run: {@code scripts/jmh BatchBenchmark} (or {@code scripts/jmh BatchBenchmark -p updates=1}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchBenchmark {
  @Param({"1", "100"})
  int updates;

  private String batch;
  private KeyedQueue queue;
  private List<Update> parsed;

  @Setup(Level.Trial)
  public void setUp() throws InvalidBatchException {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < updates; i++) {
      text.append(i == 0 ? "" : ",").append("{\"type\":\"update\",\"data\":{\"id\":").append(i * 97 % 10_000)
          .append(",\"login\":\"user").append(i).append("\",\"room\":\"b12\",\"seen\":1700000000,\"tags\":[\"a\",\"b\"]}}");
    }
    batch = text.append("]").toString();
    queue = new KeyedQueue("id");
    List<Update> records = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      records.addAll(Batches.parse("[{\"type\":\"update\",\"data\":{\"id\":" + i + ",\"v\":" + i + "}}]", "id"));
    }
    queue.apply(records);
    parsed = Batches.parse(batch, "id");
  }

  @Benchmark
  public List<Update> parseAndValidate() throws InvalidBatchException {
    return Batches.parse(batch, "id");
  }

  @Benchmark
  public Object apply() {
    return queue.apply(parsed);
  }

  @Benchmark
  public byte[] encodeOnce() {
    List<byte[]> elements = new ArrayList<>(parsed.size());
    for (Update update : parsed) {
      elements.add(Json.element(update));
    }
    return Json.array(elements);
  }

  /** Everything the owner does per batch, end to end. */
  @Benchmark
  public byte[] parseApplyEncode() throws InvalidBatchException {
    List<Update> fresh = Batches.parse(batch, "id");
    queue.apply(fresh);
    List<byte[]> elements = new ArrayList<>(fresh.size());
    for (Update update : fresh) {
      elements.add(Json.element(update));
    }
    return Json.array(elements);
  }
}
