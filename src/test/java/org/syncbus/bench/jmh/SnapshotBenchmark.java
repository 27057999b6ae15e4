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
 * The backlog line a new subscriber receives: as the edges build it (a concatenation of the
 * records' encoded bytes, kept from the owner's encoding) against encoding the whole backlog again.
 *
 * <p>Run: {@code scripts/jmh SnapshotBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SnapshotBenchmark {
  @Param({"1000", "100000"})
  int records;

  private KeyedQueue queue;
  private List<byte[]> elements;

  @Setup(Level.Trial)
  public void setUp() throws InvalidBatchException {
    queue = new KeyedQueue("id");
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < records; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"type\":\"update\",\"data\":{\"id\":").append(i)
          .append(",\"login\":\"user").append(i).append("\",\"room\":\"b12\",\"seen\":1700000000}}");
    }
    queue.apply(Batches.parse(batch.append("]").toString(), "id"));
    elements = new ArrayList<>(records);
    for (Update update : queue.snapshot()) {
      elements.add(Json.element(update));
    }
  }

  /** What an edge does: concatenate the kept bytes. */
  @Benchmark
  public byte[] concatenateEncodedRecords() {
    return Json.array(elements);
  }

  /** What encoding the backlog again would cost. */
  @Benchmark
  public byte[] reencodeWholeBacklog() {
    List<byte[]> encoded = new ArrayList<>(records);
    for (Update update : queue.snapshot()) {
      encoded.add(Json.element(update));
    }
    return Json.array(encoded);
  }
}
