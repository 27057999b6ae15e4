package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.Update;
import org.syncbus.stream.StreamEvent;

/**
 * The retained log an edge keeps for resuming clients (README, "Resume and server-sent events"),
 * one rule per test: one form per batch, counted as its array plus a fixed overhead, bounded by
 * {@code retain.batches} and {@code retain.bytes}; a resuming client's batches framed on the fly,
 * byte for byte what the live fan-out ({@link BatchFramings}) writes, in every {@link Format}.
 */
class RetainedLogTest {
  private static final String EPOCH = "lq3k-5x9";
  private static final String PK = "id";
  private static final SyncbusConfig.Retain UNBOUNDED = new SyncbusConfig.Retain(1_000, Long.MAX_VALUE);

  private final RetainedLog log = new RetainedLog();

  /** Batch {@code seq} as its owner publishes it: one record, with its parsed updates and elements. */
  private static StreamEvent.Batch event(long seq) {
    String text = "[{\"type\":\"update\",\"data\":{\"id\":" + seq + ",\"name\":\"été " + seq + "\",\"v\":1.10}}]";
    try {
      List<Update> batch = Batches.parse(text, PK);
      List<byte[]> elements = Json.elements(batch);
      return new StreamEvent.Batch(EPOCH, seq, PK, batch, elements, Json.array(elements));
    } catch (InvalidBatchException e) {
      throw new AssertionError(e);
    }
  }

  private void add(StreamEvent.Batch event, SyncbusConfig.Retain bounds) {
    log.add(event.seq(), event.array(), bounds);
  }

  private List<Buffer> after(long since, Format format) {
    List<Buffer> framed = new ArrayList<>();
    log.writeAfter(since, EPOCH, format, framed::add);
    return framed;
  }

  private List<Long> seqsAfter(long since) {
    List<Long> seqs = new ArrayList<>();
    for (Buffer line : after(since, Format.SEQ)) {
      seqs.add(new io.vertx.core.json.JsonObject(line).getLong("seq"));
    }
    return seqs;
  }

  private static String text(Buffer buffer) {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void eachBatchCountsItsArrayAndAFixedOverhead() {
    long expected = 0;
    for (long seq = 1; seq <= 3; seq++) {
      StreamEvent.Batch event = event(seq);
      add(event, UNBOUNDED);
      expected += event.array().length + RetainedLog.ENTRY_OVERHEAD_BYTES;
    }

    assertEquals(expected, log.bytes());
    assertEquals(3, log.batches());
  }

  @Test
  void oldestBatchesGoFirstPastRetainBatches() {
    for (long seq = 1; seq <= 5; seq++) {
      add(event(seq), new SyncbusConfig.Retain(3, Long.MAX_VALUE));
    }

    assertEquals(List.of(3L, 4L, 5L), seqsAfter(0));
    assertEquals(3 * RetainedLog.counted(event(3).array()), log.bytes());
  }

  @Test
  void oldestBatchesGoFirstPastRetainBytesCountingTheOverhead() {
    // Every batch here has an array of the same length: room for two entries, overhead included, not three.
    SyncbusConfig.Retain bounds = new SyncbusConfig.Retain(1_000, 3 * RetainedLog.counted(event(1).array()) - 1);
    for (long seq = 1; seq <= 4; seq++) {
      add(event(seq), bounds);
    }

    assertEquals(List.of(3L, 4L), seqsAfter(0));
    assertEquals(2 * RetainedLog.counted(event(1).array()), log.bytes());
  }

  @Test
  void aBoundOfZeroKeepsNothing() {
    add(event(1), new SyncbusConfig.Retain(0, Long.MAX_VALUE));
    add(event(2), new SyncbusConfig.Retain(1_000, 0));

    assertEquals(0, log.batches());
    assertEquals(0, log.bytes());
    assertTrue(log.resumable(2, 2), "resuming at the current seq needs no batch");
    assertFalse(log.resumable(1, 2));
  }

  @Test
  void resumableFromTheBatchBeforeTheOldestKeptUpToTheCurrentSeq() {
    for (long seq = 1; seq <= 6; seq++) {
      add(event(seq), new SyncbusConfig.Retain(3, Long.MAX_VALUE));
    }

    assertFalse(log.resumable(2, 6), "batch 3 is gone");
    assertTrue(log.resumable(3, 6));
    assertTrue(log.resumable(6, 6));
    assertFalse(log.resumable(7, 6), "in the future");
  }

  @Test
  void writeAfterHandsOnExactlyTheBatchesAfterSinceInOrder() {
    for (long seq = 1; seq <= 5; seq++) {
      add(event(seq), UNBOUNDED);
    }

    assertEquals(List.of(3L, 4L, 5L), seqsAfter(2));
    assertEquals(List.of(), seqsAfter(5));
  }

  @Test
  void clearEmptiesTheLog() {
    add(event(1), UNBOUNDED);
    log.clear();

    assertEquals(0, log.batches());
    assertEquals(0, log.bytes());
    assertEquals(List.of(), seqsAfter(0));
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void framingOnTheFlyIsWhatTheLiveFanOutWritesByteForByte(Format format) {
    List<BatchFramings> live = new ArrayList<>();
    for (long seq = 1; seq <= 3; seq++) {
      StreamEvent.Batch event = event(seq);
      add(event, UNBOUNDED);
      live.add(new BatchFramings(event));
    }

    List<Buffer> resumed = after(0, format);
    assertEquals(3, resumed.size());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(live.get(i).framed(format).getBytes(), resumed.get(i).getBytes(), format + " batch " + (i + 1));
    }
  }

  @Test
  void framingsAreTheProtocolsLinesAndEvents() {
    StreamEvent.Batch event = event(5);
    add(event, UNBOUNDED);
    String array = new String(event.array(), StandardCharsets.UTF_8);

    assertEquals(array + "\n", text(after(4, Format.PLAIN).get(0)));
    assertEquals(text(event.line()), text(after(4, Format.PLAIN).get(0)), "the owner's line itself");
    assertEquals("{\"seq\":5,\"batch\":" + array + "}\n", text(after(4, Format.SEQ).get(0)));
    assertEquals("id: " + EPOCH + ":5\nevent: batch\ndata: {\"seq\":5,\"batch\":" + array + "}\n\n",
        text(after(4, Format.SSE).get(0)));
  }
}
