package org.syncbus.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestJson;
import org.syncbus.testing.TestNode;

/**
 * The clients a node under attack must keep serving, all on 127.0.0.1, each on its own
 * connection: a publisher posting a batch every {@value #PUBLISH_INTERVAL_MILLIS} ms, a subscriber
 * following {@code /poll}, and a prober asking {@code /health} every
 * {@value #PROBE_INTERVAL_MILLIS} ms. Each publisher and prober request waits for the previous
 * one, so each keeps one keep-alive connection (a node full of attackers admits no new one), and
 * each is recorded with its start and latency, so that an attack's figures are those of the
 * requests made during it.
 *
 * <p>Requests run on Vert.x's event loop and are read from the test thread: the records are
 * guarded by this object's lock.
 */
final class NormalClients {
  static final long PUBLISH_INTERVAL_MILLIS = 100;
  static final long PROBE_INTERVAL_MILLIS = 250;
  /** A /health answer later than this is a failure of the node. */
  static final long PROBE_TIMEOUT_MILLIS = 2_000;
  private static final long PUBLISH_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final TestNode publisher;
  private final TestNode prober;
  private final TestNode subscriber;
  private final List<Request> publishes = new ArrayList<>();
  private final List<Request> probes = new ArrayList<>();
  private final Promise<Void> publisherStopped = Promise.promise();
  private final Promise<Void> proberStopped = Promise.promise();
  private PollStream stream;
  private int nextId = 1;
  private volatile boolean started;
  private volatile boolean stopping;

  /** One request: when it started ({@link System#nanoTime()}), how long it took, its status (0: no answer). */
  record Request(long startNanos, long latencyNanos, int status, int id, String failure) {
    static Request of(long startNanos, int id, AsyncResult<HttpReply> reply) {
      int status = reply.succeeded() ? reply.result().status() : 0;
      return new Request(startNanos, System.nanoTime() - startNanos, status, id,
          reply.succeeded() ? null : String.valueOf(reply.cause()));
    }

    long latencyMillis() {
      return TimeUnit.NANOSECONDS.toMillis(latencyNanos);
    }
  }

  /** What the clients saw between two instants. */
  record Window(List<Request> publishes, List<Request> probes) {
    /** The 99th percentile of the publishes' latencies (nearest rank), in ms. */
    long publishP99Millis() {
      if (publishes.isEmpty()) {
        return 0;
      }
      List<Long> sorted = publishes.stream().map(Request::latencyMillis).sorted().toList();
      return sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
    }

    long refusedPublishes() {
      return publishes.stream().filter(request -> request.status() != 200).count();
    }

    long probeMaxMillis() {
      return probes.stream().mapToLong(Request::latencyMillis).max().orElse(0);
    }

    List<Request> failedProbes() {
      return probes.stream().filter(probe -> probe.status() != 200).toList();
    }
  }

  NormalClients(Vertx vertx, int port, JsonObject config) {
    this.vertx = vertx;
    this.publisher = new TestNode(vertx, port, config);
    this.prober = new TestNode(vertx, port, config);
    this.subscriber = new TestNode(vertx, port, config);
  }

  /** Subscribes (waiting for the backlog line), then starts publishing and probing. */
  void start() {
    stream = Await.await(subscriber.pollOk(Configs.DEFAULT));
    Await.await(stream.line(0));
    started = true;
    vertx.runOnContext(v -> publishNext());
    vertx.runOnContext(v -> probeNext());
  }

  private void publishNext() {
    if (stopping) {
      publisherStopped.tryComplete();
      return;
    }
    int id = nextId++;
    long start = System.nanoTime();
    publisher.publish(Configs.DEFAULT, batch(id))
        .timeout(PUBLISH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(reply -> {
          record(publishes, Request.of(start, id, reply));
          vertx.setTimer(PUBLISH_INTERVAL_MILLIS, t -> publishNext());
        });
  }

  private void probeNext() {
    if (stopping) {
      proberStopped.tryComplete();
      return;
    }
    long start = System.nanoTime();
    prober.get("/health")
        .timeout(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .onComplete(reply -> {
          record(probes, Request.of(start, 0, reply));
          vertx.setTimer(PROBE_INTERVAL_MILLIS, t -> probeNext());
        });
  }

  static String batch(int id) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + ",\"name\":\"normal-" + id + "\"}}]";
  }

  private synchronized void record(List<Request> requests, Request request) {
    requests.add(request);
  }

  /** The requests started from {@code fromNanos} until {@code toNanos} (and answered by now). */
  synchronized Window between(long fromNanos, long toNanos) {
    return new Window(
        publishes.stream().filter(r -> r.startNanos() >= fromNanos && r.startNanos() < toNanos).toList(),
        probes.stream().filter(r -> r.startNanos() >= fromNanos && r.startNanos() < toNanos).toList());
  }

  synchronized List<Integer> acknowledgedIds() {
    return publishes.stream().filter(r -> r.status() == 200).map(Request::id).toList();
  }

  int subscriberLines() {
    return stream.lineCount();
  }

  /** Stops publishing and probing, and waits (bounded) for the requests in flight to be answered. */
  void stop() {
    stopping = true;
    if (!started) {
      return;
    }
    Await.await(Future.all(publisherStopped.future(), proberStopped.future()));
  }

  /**
   * The ids of every batch the subscriber received (line 0, the backlog, left out), once it has
   * received the batch of {@code lastId} (bounded wait).
   */
  List<Integer> receivedIds(int lastId) {
    Await.await(stream.indexOf(1, line -> ids(line).contains(lastId)));
    return stream.lines().stream().skip(1).flatMap(line -> ids(line).stream()).toList();
  }

  private static List<Integer> ids(String line) {
    List<Integer> ids = new ArrayList<>();
    for (JsonNode update : TestJson.parse(line)) {
      ids.add(update.get("data").get("id").asInt());
    }
    return ids;
  }

  /** Closes the stream and every client. */
  Future<Void> close() {
    return Future.join(subscriber.closeStreams(), subscriber.close(), publisher.close(), prober.close()).mapEmpty();
  }
}
