package org.syncbus.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One {@code GET /poll} as an NDJSON client reads it: every line as it arrives, so that tests wait
 * for the line they expect instead of sleeping. Each stream has its own connection (its own
 * client), so closing it is what a client going away looks like to the server.
 *
 * <p>Lines arrive on an event loop and are read from the test thread: the state is guarded by this
 * object's lock, and promises are completed outside it.
 */
public final class PollStream {
  private final HttpClientAgent client;
  private final HttpClientResponse response;
  private final List<String> lines = new ArrayList<>();
  private final List<Long> arrivals = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Buffer body = Buffer.buffer();
  private final Promise<Void> ended = Promise.promise();
  private final Promise<String> refusal = Promise.promise();
  private Buffer partial = Buffer.buffer();
  private boolean finished;
  private boolean closedByClient;

  private record Waiter(Predicate<String> accepted, int from, Promise<Integer> promise) {}

  private PollStream(HttpClientAgent client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
    response.handler(this::onData);
    response.endHandler(v -> onEnd(null));
    response.exceptionHandler(this::onEnd);
  }

  /** Sends {@code GET uri}; completes once the status and headers are in. */
  public static Future<PollStream> open(Vertx vertx, int port, String uri) {
    return open(vertx, port, uri, Map.of());
  }

  /** Sends {@code GET uri} with {@code headers}; completes once the status and headers are in. */
  public static Future<PollStream> open(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return open(vertx, new HttpClientOptions(), port, uri, headers);
  }

  /** {@link #open(Vertx, int, String, Map)} with a client made from {@code options} (TLS). */
  public static Future<PollStream> open(Vertx vertx, HttpClientOptions options, int port, String uri,
                                        Map<String, String> headers) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions(options), new PoolOptions().setHttp1MaxSize(1));
    // The handlers are set in the callback that receives the response, before any line can arrive.
    return client.request(HttpMethod.GET, port, TestNode.HOST, uri)
        .compose(request -> {
          headers.forEach(request::putHeader);
          return request.send().map(response -> new PollStream(client, response));
        })
        .onFailure(error -> client.close());
  }

  public int status() {
    return response.statusCode();
  }

  public MultiMap headers() {
    return response.headers();
  }

  /** Line {@code index} (0 is the backlog), as soon as it arrives; fails if the stream ends first. */
  public Future<String> line(int index) {
    return indexOf(index, line -> true).map(this::lineAt);
  }

  /** The index of the first line from {@code from} on that {@code accepted}, as soon as there is one. */
  public Future<Integer> indexOf(int from, Predicate<String> accepted) {
    synchronized (this) {
      for (int i = from; i < lines.size(); i++) {
        if (accepted.test(lines.get(i))) {
          return Future.succeededFuture(i);
        }
      }
      if (!finished) {
        Waiter waiter = new Waiter(accepted, from, Promise.promise());
        waiters.add(waiter);
        return waiter.promise.future();
      }
      return Future.failedFuture(new AssertionError("the stream ended after " + lines.size()
          + " lines without the awaited line; " + (partial.length() > 0 ? "unterminated rest: " + partial : "")));
    }
  }

  public synchronized String lineAt(int index) {
    return lines.get(index);
  }

  /** The lines received so far. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  public synchronized int lineCount() {
    return lines.size();
  }

  /** When line {@code index} arrived, in {@link System#nanoTime()}. */
  public synchronized long arrivalNanos(int index) {
    return arrivals.get(index);
  }

  /** Bytes received after the last line end: none in a well-formed stream. */
  public synchronized String unterminated() {
    return partial.toString(StandardCharsets.UTF_8);
  }

  /** Completes when the server ends the response cleanly (its last chunk); fails if the connection breaks first. */
  public Future<Void> ended() {
    return ended.future();
  }

  /** The whole body of a refused poll (not 200), once it is complete. */
  public Future<String> refusalBody() {
    return refusal.future();
  }

  /** Closes the connection, as a client that goes away does. */
  public Future<Void> close() {
    synchronized (this) {
      closedByClient = true;
    }
    return client.close();
  }

  private void onData(Buffer chunk) {
    long now = System.nanoTime();
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      if (status() != 200) {
        body.appendBuffer(chunk);
      }
      partial.appendBuffer(chunk);
      int start = 0;
      for (int i = 0; i < partial.length(); i++) {
        if (partial.getByte(i) == '\n') {
          String line = partial.getString(start, i, StandardCharsets.UTF_8.name());
          lines.add(line);
          arrivals.add(now);
          start = i + 1;
          collectDue(line, lines.size() - 1, due);
        }
      }
      partial = partial.getBuffer(start, partial.length());
    }
    due.forEach(Runnable::run);
  }

  private void collectDue(String line, int index, List<Runnable> due) {
    waiters.removeIf(waiter -> {
      if (index >= waiter.from && waiter.accepted.test(line)) {
        due.add(() -> waiter.promise.tryComplete(index));
        return true;
      }
      return false;
    });
  }

  private void onEnd(Throwable error) {
    List<Waiter> pending;
    String rest;
    boolean byClient;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      pending = new ArrayList<>(waiters);
      waiters.clear();
      rest = partial.toString(StandardCharsets.UTF_8);
      byClient = closedByClient;
    }
    String how = error == null ? "ended" : byClient ? "was closed by the test" : "broke (" + error + ")";
    for (Waiter waiter : pending) {
      waiter.promise.tryFail(new AssertionError("the stream " + how + " after " + lineCount()
          + " lines, before the awaited line" + (rest.isEmpty() ? "" : "; unterminated rest: " + rest)));
    }
    if (error == null) {
      ended.tryComplete();
      refusal.tryComplete(body.toString(StandardCharsets.UTF_8));
    } else {
      ended.tryFail(new AssertionError("the stream " + how + " instead of ending cleanly", error));
      refusal.tryFail(error);
    }
  }
}
