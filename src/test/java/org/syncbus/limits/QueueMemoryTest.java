package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.syncbus.contract.Addresses;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * What a queue keeps, measured in heap on a node started in this JVM (README, "Sizing the heap"):
 * the retained log within {@value #RETAINED_FACTOR}× of {@code queues.Q.retain.bytes}, and the
 * backlog within the model {@link NodeLimits} warns with at start
 * ({@value NodeLimits#RECORD_HEAP_BYTES} bytes a record plus {@value NodeLimits#BACKLOG_BYTE_COPIES}
 * copies of its encoded bytes).
 *
 * <p><b>Measuring.</b> The heap in use after full collections ({@link #usedAfterGc()}) once the
 * node served a few small batches (classes loaded, buffers allocated) is the baseline; what grew
 * after the test's batches is compared with what the node is meant to keep. Subscribers are raw
 * streams that count line ends and keep nothing ({@link LineEnds}), so the client side of this JVM
 * does not grow with what they receive. Surefire runs test classes one after the other, so
 * nothing else allocates meanwhile but the JVM and Vert.x themselves, which
 * {@value #ALLOWANCE_BYTES} bytes of allowance cover.
 */
class QueueMemoryTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final double RETAINED_FACTOR = 1.5;
  private static final long RETAIN_BYTES = 8L * 1024 * 1024;
  private static final int RETAINED_BATCHES = 200;
  private static final int RETAINED_BATCH_RECORDS = 100;
  private static final int RETAINED_RECORD_CHARS = 1000;
  /**
   * The backlog's heap in the retained-log test, in copies of its encoded bytes: the owner's parsed
   * records, their encoded elements (which the edge's mirror shares) and a spare copy; its
   * {@value #RETAINED_BATCH_RECORDS} records are a hundred times smaller than the log.
   */
  private static final int BACKLOG_COPIES = 3;
  private static final int WARM_UP_BATCHES = 5;
  private static final long ALLOWANCE_BYTES = 1024 * 1024;
  private static final int GC_RUNS = 5;
  private static final int BACKLOG_BATCH_RECORDS = 1000;

  private HttpClientAgent http;
  private TestNode node;

  @BeforeEach
  void noClientYet() {
    http = null;
  }

  @AfterEach
  void closeTheRawStreams() {
    if (http != null) {
      await(http.close());
    }
  }

  /** Record shapes of the backlog test: many small fields, or one large text. */
  enum Shape {
    /** Six fields, about 130 encoded bytes, as a user directory's. */
    SMALL(20_000, id -> "{\"id\":" + id + ",\"name\":\"user-" + id + "\",\"email\":\"user-" + id
        + "@example.com\",\"score\":12.5,\"online\":true,\"tags\":[\"a\",\"b\"]}"),
    /** Two fields, about 1 KB. */
    LARGE(4_000, id -> "{\"id\":" + id + ",\"text\":\"" + "x".repeat(1000) + "\"}");

    final int records;
    final IntFunction<String> record;

    Shape(int records, IntFunction<String> record) {
      this.records = records;
      this.record = record;
    }
  }

  /** The heap in use after full collections: the least of {@value #GC_RUNS} readings, each right after one. */
  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < GC_RUNS; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  private TestNode startRetaining(JsonObject retain) {
    JsonObject config = Configs.defaultNode().put("sse", new JsonObject().put("keepAliveSeconds", 3600));
    config.getJsonObject("queues").getJsonObject(Q).put("retain", retain);
    node = start(config);
    http = node.vertx().createHttpClient(new HttpClientOptions().setDefaultHost(TestNode.HOST).setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(4));
    return node;
  }

  private void apply(String batch) {
    await(vertx.eventBus().request(Addresses.apply(Q), batch));
  }

  /** The encoded bytes of these records' elements: what they count against {@code limits.bytes}. */
  private static long encodedBytes(String batch) throws InvalidBatchException {
    return Json.elements(Batches.parse(batch, "id")).stream().mapToLong(element -> element.length).sum();
  }

  /** A batch of updates of {@code records}' records, ids {@code from} on. */
  private static String batch(int from, int count, IntFunction<String> records) {
    StringBuilder batch = new StringBuilder("[");
    for (int id = from; id < from + count; id++) {
      batch.append(id > from ? "," : "").append("{\"type\":\"update\",\"data\":").append(records.apply(id)).append('}');
    }
    return batch.append(']').toString();
  }

  /** Batch {@code n} of the retained-log test: the same {@value #RETAINED_BATCH_RECORDS} keys, {@code chars} of text each. */
  private static String retainedBatch(int n, int chars) {
    return batch(0, RETAINED_BATCH_RECORDS, id -> "{\"id\":" + id + ",\"n\":" + n + ",\"text\":\""
        + Character.toString('a' + (n + id) % 26).repeat(chars) + "\"}");
  }

  private List<LineEnds> subscribeInEveryFormat() {
    String query = Tokens.pollQuery(node.pollToken(Q));
    return List.of(
        await(LineEnds.open(node, http, TestNode.pollPath(Q) + query)),
        await(LineEnds.open(node, http, TestNode.pollPath(Q) + query + "&format=seq")),
        await(LineEnds.open(node, http, "/queues/" + Q + "/events" + query)));
  }

  /** Waits until each stream of {@link #subscribeInEveryFormat()} has its first line and {@code batches} more. */
  private void awaitLines(List<LineEnds> streams, int batches) {
    // Line ends per line: one in /poll and format=seq; an event is id, event, data and an empty line.
    int[] perLine = {1, 1, 4};
    for (int i = 0; i < streams.size(); i++) {
      LineEnds stream = streams.get(i);
      long expected = perLine[i] * (1L + batches);
      await(Await.eventually(vertx, "stream " + i + " with " + expected + " line ends", 600, 50,
          () -> Future.succeededFuture(stream.count.get()), count -> count >= expected), Duration.ofSeconds(60));
    }
  }

  @Test
  void retainBytesBoundsTheRetainedLogsHeapWithinTheStatedFactor() throws InvalidBatchException {
    startRetaining(new JsonObject().put("bytes", RETAIN_BYTES));
    List<LineEnds> streams = subscribeInEveryFormat();
    for (int n = 1; n <= WARM_UP_BATCHES; n++) {
      apply(retainedBatch(n, 10));
    }
    awaitLines(streams, WARM_UP_BATCHES);
    long baseline = usedAfterGc();

    String last = null;
    for (int n = 1; n <= RETAINED_BATCHES; n++) {
      last = retainedBatch(WARM_UP_BATCHES + n, RETAINED_RECORD_CHARS);
      apply(last);
    }
    awaitLines(streams, WARM_UP_BATCHES + RETAINED_BATCHES);
    long grown = usedAfterGc() - baseline;

    long backlogBytes = encodedBytes(last);
    long expected = RETAIN_BYTES + BACKLOG_COPIES * backlogBytes + ALLOWANCE_BYTES;
    System.out.printf(Locale.ROOT, "QUEUE_MEMORY retained log: %d batches of %d bytes, retain.bytes %d, backlog %d "
            + "bytes; heap grew %d bytes = %.2fx retain.bytes (%.2fx without %d copies of the backlog); bound %.0f%n",
        RETAINED_BATCHES, last.length(), RETAIN_BYTES, backlogBytes, grown, (double) grown / RETAIN_BYTES,
        (double) (grown - BACKLOG_COPIES * backlogBytes) / RETAIN_BYTES, BACKLOG_COPIES, RETAINED_FACTOR * expected);
    assertEquals(WARM_UP_BATCHES + RETAINED_BATCHES, await(node.infoOk(Q)).getLong("seq"));
    assertTrue(grown >= RETAIN_BYTES / 2, () -> "the measurement sees the retained log at all: the heap grew "
        + grown + " bytes with " + RETAIN_BYTES + " retained");
    assertTrue(grown <= RETAINED_FACTOR * expected, () -> String.format(Locale.ROOT, "the heap grew %d bytes, %.2fx "
        + "of retain.bytes %d + the backlog's %d x %d bytes + %d; bound %.1fx", grown, (double) grown / expected,
        RETAIN_BYTES, BACKLOG_COPIES, backlogBytes, ALLOWANCE_BYTES, RETAINED_FACTOR));
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void backlogHeapIsWithinTheModelOfTheStartWarning(Shape shape) throws InvalidBatchException {
    startRetaining(new JsonObject().put("batches", 0));
    apply(batch(-1, 1, shape.record));
    List<LineEnds> warmUp = subscribeInEveryFormat();
    awaitLines(warmUp, 0);
    long baseline = usedAfterGc();

    long encoded = 0;
    for (int from = 0; from < shape.records; from += BACKLOG_BATCH_RECORDS) {
      String batch = batch(from, BACKLOG_BATCH_RECORDS, shape.record);
      encoded += encodedBytes(batch);
      apply(batch);
    }
    long filled = usedAfterGc() - baseline;
    // A new plain subscriber makes the edge build the snapshot (its array, then its line), kept until the next batch.
    LineEnds subscriber = await(LineEnds.open(node, http, TestNode.pollPath(Q) + Tokens.pollQuery(node.pollToken(Q))));
    await(Await.eventually(vertx, "the snapshot line", 600, 50, () -> Future.succeededFuture(subscriber.count.get()),
        count -> count >= 1), Duration.ofSeconds(60));
    long served = usedAfterGc() - baseline;

    double model = (double) shape.records * NodeLimits.RECORD_HEAP_BYTES + encoded * NodeLimits.BACKLOG_BYTE_COPIES;
    // G1 keeps an object over half a region in whole regions: the snapshot's array and line may take a region more each.
    long humongous = 2 * g1RegionBytes();
    System.out.printf(Locale.ROOT, "QUEUE_MEMORY backlog %s: %d records, %d encoded bytes (%.0f a record); heap grew "
            + "%d bytes = %.0f a record, %.2fx the encoded bytes; with a snapshot served %d = %.2fx; model %.0f%n",
        shape, shape.records, encoded, (double) encoded / shape.records, filled, (double) filled / shape.records,
        (double) filled / encoded, served, (double) served / encoded, model);
    assertTrue(served <= model + humongous + ALLOWANCE_BYTES, () -> "the heap grew " + served + " bytes, over the model's "
        + (long) model + " (+ " + humongous + " + " + ALLOWANCE_BYTES + ")");
  }

  /** G1's region size (0 under another collector). */
  private static long g1RegionBytes() {
    return Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("G1HeapRegionSize").getValue());
  }

  /** A stream that counts the line ends it receives and keeps nothing of them. */
  private static final class LineEnds {
    final AtomicLong count = new AtomicLong();

    static Future<LineEnds> open(TestNode node, HttpClientAgent http, String uri) {
      LineEnds stream = new LineEnds();
      Promise<LineEnds> opened = Promise.promise();
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri);
      // Sent from an event loop, so that the handler is set on the thread that delivers the body.
      node.vertx().getOrCreateContext().runOnContext(v -> http.request(request)
          .compose(sent -> sent.send())
          .onSuccess(response -> {
            response.handler(stream::count);
            opened.complete(stream);
          })
          .onFailure(opened::fail));
      return opened.future();
    }

    private void count(Buffer chunk) {
      long ends = 0;
      for (int i = 0; i < chunk.length(); i++) {
        if (chunk.getByte(i) == '\n') {
          ends++;
        }
      }
      count.addAndGet(ends);
    }
  }
}
