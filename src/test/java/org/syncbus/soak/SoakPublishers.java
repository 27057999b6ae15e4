package org.syncbus.soak;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.syncbus.client.SyncClient;
import org.syncbus.client.SyncClientOptions;
import org.syncbus.client.SyncException;

/**
 * Publishers that never stop until told: each has one batch in flight, and sends the next right
 * after the previous one's outcome. Batch {@code i} of publisher {@code p} is
 * {@code [{"type":"update","data":{"id":"p<p>-<i>","p":<p>,"i":<i>}}]}: applied once, it creates
 * exactly one new record and raises the queue's seq by one, which is what the final comparison counts.
 *
 * <h2>Retries and keys</h2>
 * Every batch gets a fresh idempotency key. It goes to the publisher's home node (publisher
 * {@code p} to node {@code p mod nodes}, or the next node in if the driver took the home out for a
 * kill) through that node's {@link SyncClient}, which retries 503s, time-outs and lost connections
 * with the same key for {@link SoakOptions#retryFor()}. If the client still fails (its node died
 * under it, or has no owner yet), the publisher tries the next node, <em>with the same key</em>,
 * after a short back-off, and so on until {@link SoakOptions#giveUpAfter()} from the first attempt:
 * then the batch is given up (it may or may not have been applied: never twice). A refusal (4xx) is
 * recorded and not retried: it is a bug of the harness or of the server.
 *
 * <p>Each publisher's chain of futures is sequential (a batch's attempts, then the next batch), so
 * its counters need no lock; what they all share is the {@link SoakLedger} and the set of nodes
 * taken out, an atomic array the driver writes.
 */
final class SoakPublishers {
  private static final long BACKOFF_INITIAL_MILLIS = 100;
  private static final long BACKOFF_MAX_MILLIS = 1_000;

  private final Vertx vertx;
  private final SoakOptions options;
  private final SoakLedger ledger;
  private final List<SyncClient> clients = new ArrayList<>();
  private final AtomicIntegerArray out;
  private final List<Future<Void>> loops = new ArrayList<>();
  private volatile boolean stopping;

  /** One batch on its way: whose, which, its key, and when it was first sent. */
  private record Batch(int publisher, int number, String json, String key, long firstAttemptNanos) {}

  SoakPublishers(Vertx vertx, List<SoakNode> nodes, SoakOptions options, SoakLedger ledger) {
    this.vertx = vertx;
    this.options = options;
    this.ledger = ledger;
    this.out = new AtomicIntegerArray(nodes.size());
    for (SoakNode node : nodes) {
      clients.add(SyncClient.create(vertx, clientOptions(node.url(), options)));
    }
  }

  /** A node's publishing client: the soak's queue and secret, retrying for {@link SoakOptions#retryFor()}. */
  static SyncClientOptions clientOptions(String url, SoakOptions options) {
    return new SyncClientOptions(url)
        .setQueue(Soak.QUEUE)
        .setPk(Soak.PK)
        .setPublishSecret(SoakCluster.PUBLISH_SECRET)
        .setRetryFor(options.retryFor());
  }

  /** Starts every publisher. */
  void start() {
    ledger.start(System.nanoTime());
    for (int p = 0; p < ledger.publishers(); p++) {
      Promise<Void> ended = Promise.promise();
      loops.add(ended.future());
      int publisher = p;
      vertx.runOnContext(v -> next(publisher, 0, ended));
    }
  }

  /** New batches avoid node {@code index} (the driver is about to kill it) until {@link #putBack}. */
  void takeOut(int index) {
    out.set(index, 1);
  }

  void putBack(int index) {
    out.set(index, 0);
  }

  /** Sends nothing more; completes once every batch in flight has its outcome. */
  Future<Void> stop() {
    stopping = true;
    return Future.all(loops).mapEmpty();
  }

  Future<Void> close() {
    return Future.join(clients.stream().map(SyncClient::close).toList()).mapEmpty();
  }

  private void next(int publisher, int number, Promise<Void> ended) {
    if (stopping) {
      ended.complete();
      return;
    }
    String id = "p" + publisher + "-" + number;
    String json = "[{\"type\":\"update\",\"data\":{\"" + Soak.PK + "\":\"" + id + "\",\"p\":" + publisher
        + ",\"i\":" + number + "}}]";
    Batch batch = new Batch(publisher, number, json, UUID.randomUUID().toString(), System.nanoTime());
    ledger.attempting(publisher, number);
    attempt(batch, inService(publisher % clients.size()), 0)
        .onComplete(done -> next(publisher, number + 1, ended));
  }

  /** Sends {@code batch} through node {@code node}; on failure through the next, until given up. */
  private Future<Void> attempt(Batch batch, int node, int switches) {
    return clients.get(node).sendUpdates(batch.json(), batch.key()).transform(sent -> {
      if (sent.succeeded()) {
        ledger.acknowledged(batch.publisher(), batch.number(), batch.firstAttemptNanos());
        return Future.succeededFuture();
      }
      Throwable failure = sent.cause();
      if (failure instanceof SyncException refusal && refusal.isRefusal()) {
        ledger.refused(batch.publisher(), batch.number(), failure);
        return Future.succeededFuture();
      }
      if (System.nanoTime() - batch.firstAttemptNanos() >= options.giveUpAfter().toNanos()) {
        ledger.gaveUp(batch.publisher(), batch.number(), failure);
        return Future.succeededFuture();
      }
      ledger.switched();
      long backoff = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_INITIAL_MILLIS << Math.min(switches, 10));
      return vertx.timer(backoff, TimeUnit.MILLISECONDS)
          .compose(v -> attempt(batch, inService((node + 1) % clients.size()), switches + 1));
    });
  }

  /** {@code index}, or the next node after it that the driver has not taken out. */
  private int inService(int index) {
    for (int i = 0; i < clients.size(); i++) {
      int candidate = (index + i) % clients.size();
      if (out.get(candidate) == 0) {
        return candidate;
      }
    }
    return index;
  }

  /** How long the driver must wait for {@link #stop()} at most: a batch's give-up bound and its last attempt. */
  Duration stopBound() {
    return options.giveUpAfter().plus(options.retryFor()).plusSeconds(30);
  }
}
