package org.syncbus.partition;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * One {@code GET /poll?format=seq} read line by line as a resuming client reads it: the first line
 * ({@code {"epoch","seq","snapshot"}}, or {@code "resumed"} / {@code "reset"} when it resumed), then
 * one {@code {"seq","batch"}} per batch. Each stream has its own connection, so closing it is what
 * a client going away looks like to the node.
 *
 * <p>Lines arrive on an event loop and are read from the test thread: the state is guarded by this
 * object's lock, and promises are completed outside it.
 */
final class SeqStream {
  private final HttpClientAgent client;
  private final HttpClientResponse response;
  private final List<String> lines = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private Buffer partial = Buffer.buffer();
  private boolean finished;
  private String end;

  /** Waits for the first line, from line 0 on, that {@code accepted} (given its index and content). */
  private record Waiter(BiPredicate<Integer, JsonObject> accepted, Promise<JsonObject> promise) {}

  private SeqStream(HttpClientAgent client, HttpClientResponse response) {
    this.client = client;
    this.response = response;
    response.handler(this::onData);
    response.endHandler(v -> onEnd("ended by the node"));
    response.exceptionHandler(error -> onEnd("broke: " + error));
  }

  /** Sends the request; completes once the status and headers are in. */
  static Future<SeqStream> open(Vertx vertx, RequestOptions options) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(1));
    // The handlers are set in the callback that receives the response, before any line can arrive.
    return client.request(options)
        .compose(request -> request.send().map(response -> new SeqStream(client, response)))
        .onFailure(error -> client.close());
  }

  int status() {
    return response.statusCode();
  }

  /** The first line (already received or to come) that {@code accepted}; fails if the stream ends first. */
  Future<JsonObject> line(Predicate<JsonObject> accepted) {
    return await((index, line) -> accepted.test(line));
  }

  /** Line {@code index} (0: the first line), already received or to come; fails if the stream ends first. */
  Future<JsonObject> line(int index) {
    synchronized (this) {
      if (index < lines.size()) {
        return Future.succeededFuture(parse(lines.get(index)));
      }
    }
    return await((at, line) -> at == index);
  }

  private Future<JsonObject> await(BiPredicate<Integer, JsonObject> accepted) {
    synchronized (this) {
      for (int i = 0; i < lines.size(); i++) {
        JsonObject parsed = parse(lines.get(i));
        if (accepted.test(i, parsed)) {
          return Future.succeededFuture(parsed);
        }
      }
      if (!finished) {
        Waiter waiter = new Waiter(accepted, Promise.promise());
        waiters.add(waiter);
        return waiter.promise.future();
      }
      return Future.failedFuture(new AssertionError(missed()));
    }
  }

  /** Why an awaited line will not come; call holding the lock. */
  private String missed() {
    return "the stream (status " + status() + ") " + end + " after " + lines.size() + " lines without the awaited line"
        + (lines.isEmpty() ? "" : "; lines: " + abbreviated(String.join("\\n", lines)))
        + (partial.length() == 0 ? "" : "; unterminated: " + abbreviated(partial.toString(StandardCharsets.UTF_8)));
  }

  /** The first line. */
  Future<JsonObject> first() {
    return line(0);
  }

  /** The lines received so far, parsed. */
  synchronized List<JsonObject> lines() {
    return lines.stream().map(SeqStream::parse).toList();
  }

  /** Closes the connection, as a client that goes away does. */
  Future<Void> close() {
    return client.close();
  }

  private void onData(Buffer chunk) {
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      partial.appendBuffer(chunk);
      int start = 0;
      for (int i = 0; i < partial.length(); i++) {
        if (partial.getByte(i) == '\n') {
          String line = partial.getString(start, i, StandardCharsets.UTF_8.name());
          lines.add(line);
          start = i + 1;
          JsonObject parsed = parse(line);
          int index = lines.size() - 1;
          waiters.removeIf(waiter -> {
            if (waiter.accepted.test(index, parsed)) {
              due.add(() -> waiter.promise.tryComplete(parsed));
              return true;
            }
            return false;
          });
        }
      }
      partial = partial.getBuffer(start, partial.length());
    }
    due.forEach(Runnable::run);
  }

  private void onEnd(String how) {
    List<Waiter> pending;
    String message;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      end = how;
      pending = new ArrayList<>(waiters);
      waiters.clear();
      message = missed();
    }
    for (Waiter waiter : pending) {
      waiter.promise.tryFail(new AssertionError(message));
    }
  }

  /** A line as JSON; a refusal's text (not JSON) as {@code {"text": …}}. */
  private static JsonObject parse(String line) {
    try {
      return new JsonObject(line);
    } catch (RuntimeException notJson) {
      return new JsonObject().put("text", line);
    }
  }

  private static String abbreviated(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
