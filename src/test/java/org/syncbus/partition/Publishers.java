package org.syncbus.partition;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Publishers posting batches continuously to nodes, each through its own node, one batch at a time,
 * at most one every {@code interval}: every batch creates {@value #RECORDS_PER_BATCH} records whose
 * ids are unique in the run, and every answer is recorded with its timing, so that a test can tell
 * which records were acknowledged (200) and must therefore be found on every node afterwards.
 *
 * <p>A publisher whose request fails (no answer within {@link AccessClient#PUBLISH_MILLIS}, a
 * connection refused or reset) records status 0 and carries on. Loops run on the test's Vert.x;
 * the record of answers is guarded by this object's lock.
 */
final class Publishers {
  static final int RECORDS_PER_BATCH = 2;

  /**
   * One publish: through which node, by which publisher, the ids of its records, when it was
   * sent and answered ({@link System#nanoTime()}), the status (0: no HTTP answer) and
   * {@code Retry-After}, and what failed when there was no answer.
   */
  record Publish(NetNode node, String publisher, List<String> ids, long sentNanos, long answeredNanos,
                 int status, String retryAfter, String failure) {
    boolean acknowledged() {
      return status == 200;
    }

    String describe(long origin) {
      return publisher + " " + ids.get(0) + ": sent at " + millis(sentNanos - origin) + " ms, answered "
          + status + (retryAfter == null ? "" : " Retry-After " + retryAfter) + (failure == null ? "" : " (" + failure + ")")
          + " after " + millis(answeredNanos - sentNanos) + " ms";
    }

    private static long millis(long nanos) {
      return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
  }

  private final Vertx vertx;
  private final AccessClient access;
  private final long intervalNanos;
  private final List<Publish> publishes = new ArrayList<>();
  private final List<Future<Void>> loops = new ArrayList<>();
  private volatile boolean stopping;

  Publishers(Vertx vertx, AccessClient access, Duration interval) {
    this.vertx = vertx;
    this.access = access;
    this.intervalNanos = interval.toNanos();
  }

  /** Starts {@code count} publishers posting through each of {@code nodes}. */
  Publishers start(List<NetNode> nodes, int count) {
    for (NetNode node : nodes) {
      for (int i = 0; i < count; i++) {
        String name = "n" + node.index() + "p" + loops.size();
        Promise<Void> ended = Promise.promise();
        loops.add(ended.future());
        vertx.runOnContext(v -> publishNext(node, name, 0, ended));
      }
    }
    return this;
  }

  private void publishNext(NetNode node, String name, long number, Promise<Void> ended) {
    if (stopping) {
      ended.complete();
      return;
    }
    List<String> ids = new ArrayList<>();
    JsonArray batch = new JsonArray();
    for (int k = 0; k < RECORDS_PER_BATCH; k++) {
      String id = name + "-" + number + "-" + k;
      ids.add(id);
      batch.add(new JsonObject().put("type", "update").put("data", new JsonObject()
          .put(NetCluster.PK, id).put("via", node.index())));
    }
    long sent = System.nanoTime();
    access.publish(node, batch.encode()).onComplete(reply -> {
      long answered = System.nanoTime();
      Publish publish = reply.succeeded()
          ? new Publish(node, name, List.copyOf(ids), sent, answered, reply.result().status(),
              reply.result().headers().get("Retry-After"), null)
          : new Publish(node, name, List.copyOf(ids), sent, answered, 0, null, String.valueOf(reply.cause().getMessage()));
      synchronized (this) {
        publishes.add(publish);
      }
      long delayMillis = TimeUnit.NANOSECONDS.toMillis(sent + intervalNanos - answered);
      if (delayMillis > 0) {
        vertx.setTimer(delayMillis, id -> publishNext(node, name, number + 1, ended));
      } else {
        vertx.runOnContext(v -> publishNext(node, name, number + 1, ended));
      }
    });
  }

  /** Sends nothing more; completes once every publish in flight is answered (or timed out). */
  Future<Void> stop() {
    stopping = true;
    return Future.all(loops).mapEmpty();
  }

  /** Every publish answered so far, in the order of the answers. */
  synchronized List<Publish> answered() {
    return List.copyOf(publishes);
  }

  List<Publish> answered(Predicate<Publish> filter) {
    return answered().stream().filter(filter).toList();
  }

  /** How many publishes through {@code node} were acknowledged. */
  long acknowledged(NetNode node) {
    return answered(publish -> publish.node() == node && publish.acknowledged()).size();
  }

  /** Every acknowledged record id, with the publish that stored it. */
  Map<String, Publish> acknowledgedIds() {
    Map<String, Publish> ids = new LinkedHashMap<>();
    for (Publish publish : answered(Publish::acknowledged)) {
      publish.ids().forEach(id -> ids.put(id, publish));
    }
    return ids;
  }

  /** Counts of answers by node and status, for the test's report. */
  String summary() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Publish publish : answered()) {
      counts.merge("node" + publish.node().index() + " " + publish.status(), 1, Integer::sum);
    }
    return counts.toString();
  }
}
