package org.syncbus.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.syncbus.contract.Protocol;
import org.syncbus.auth.TimeTokens;
import org.syncbus.queue.IdempotencyKeys;

/**
 * A client of one syncbus queue, on the Vert.x HTTP client: the original's {@code send_update(s)}
 * and {@code poll_updates(callback, watch)}, Future-based, and reconnecting instead of exiting.
 *
 * <pre>{@code
 * SyncClient client = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:8000")
 *     .setQueue("machines").setSubscribeSecret(sub).setPublishSecret(pub));
 * client.poll(Set.of("room"), (state, changes) -> System.out.println(changes));
 * client.sendUpdate(new JsonObject().put("type", "update").put("data", record));
 * }</pre>
 *
 * <p>Publishing retries what may succeed later (no answer, 503) under one idempotency key per
 * batch, so that a batch is applied at most once however often it is sent ({@link Publication});
 * following reconnects ({@link Subscription}).
 */
public final class SyncClient {
  /** How long an idle pooled connection is kept: half the node's default idle timeout. */
  private static final int KEEP_ALIVE_SECONDS = 30;
  /** {@code Retry-After} as delay-seconds, the form syncbus sends; an HTTP date is not followed. */
  private static final Pattern RETRY_AFTER_SECONDS = Pattern.compile("[0-9]{1,9}");

  private final Vertx vertx;
  private final SyncClientOptions options;
  private final HttpClientAgent http;
  private final Context context;
  private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
  private final Set<Publication> publications = new CopyOnWriteArraySet<>();
  private Future<String> pk;

  private SyncClient(Vertx vertx, SyncClientOptions options) {
    this.vertx = vertx;
    this.options = options;
    // Pooled connections are given up well before a node closes them as idle (http.idleTimeoutSeconds,
    // 60 s by default), so a request never races the node's close on a reused connection.
    this.http = vertx.createHttpClient(tls(options, new HttpClientOptions().setMaxInitialLineLength(64 * 1024)
        .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * TLS for an https base URL: the CA to trust and the client certificate, when given. The files
   * are read when the first connection is made, off the event loop; the server's name is checked.
   */
  private static HttpClientOptions tls(SyncClientOptions options, HttpClientOptions http) {
    http.setSsl(options.https()).setVerifyHost(true);
    if (options.trustPemPath() != null) {
      http.setTrustOptions(new PemTrustOptions().addCertPath(options.trustPemPath()));
    }
    if (options.certPemPath() != null) {
      http.setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.certPemPath()).setKeyPath(options.keyPemPath()));
    }
    return http;
  }

  public static SyncClient create(Vertx vertx, SyncClientOptions options) {
    return new SyncClient(vertx, options);
  }

  public SyncClientOptions options() {
    return options;
  }

  /** Publishes one update ({@code {"type": "update"|"delete", "data": {…}}}). */
  public Future<Void> sendUpdate(JsonObject update) {
    return sendUpdates(new JsonArray().add(update));
  }

  /** Publishes a batch; succeeds once the server applied it, fails with a {@link SyncException}. */
  public Future<Void> sendUpdates(JsonArray batch) {
    return sendUpdates(batch.encode());
  }

  /**
   * Publishes a batch given as JSON text (sent as is, so every value arrives exactly), under a
   * fresh idempotency key: see {@link #sendUpdates(String, String)}.
   */
  public Future<Void> sendUpdates(String batchJson) {
    return sendUpdates(batchJson, UUID.randomUUID().toString());
  }

  /**
   * Publishes a batch under {@code idempotencyKey}, which a node applies once however often the
   * batch is presented with it (while the node keeps the key, {@code queues.Q.idempotency.seconds}).
   * A caller that retries on its own, e.g. a script running {@code publish} again, passes the same
   * key each time; a different batch needs a different key (the same key with another batch is
   * refused, 422).
   *
   * <p>Succeeds once the server applied the batch, or had already. A failure that may pass (no
   * answer within {@link SyncClientOptions#requestTimeout()}, a lost or refused connection, 503)
   * is retried with the same key, signed anew, after a back-off or the server's
   * {@code Retry-After}, until {@link SyncClientOptions#retryFor()} has passed since the first
   * attempt; then it fails with the last {@link SyncException}, which says how many attempts were
   * made. A refusal (4xx, 507) fails at once, as does any other status.
   *
   * @param idempotencyKey 1 to 128 printable ASCII characters (0x20 to 0x7E); otherwise the result
   *     fails with an {@link IllegalArgumentException}
   */
  public Future<Void> sendUpdates(String batchJson, String idempotencyKey) {
    if (options.publishSecret() == null && options.token() == null) {
      return Future.failedFuture(new IllegalStateException("no publish secret (nor token): set "
          + "SyncClientOptions.setPublishSecret or setToken to publish to " + options.queue()));
    }
    // Checked here, by the node's own rule, so that a bad key fails at once instead of as a 400.
    String badKey = idempotencyKey == null ? "no idempotency key" : IdempotencyKeys.invalid(idempotencyKey);
    if (badKey != null) {
      return Future.failedFuture(new IllegalArgumentException(badKey));
    }
    Publication publication = new Publication(this, vertx, context, batchJson, idempotencyKey);
    publications.add(publication);
    return publication.start().andThen(done -> publications.remove(publication));
  }

  /**
   * One attempt of a {@link Publication}: signed now, under {@code idempotencyKey}. It fails as a
   * timeout without a connection within the request timeout, or when the server then sends
   * nothing for as long; Vert.x then closes the connection, so a late answer cannot leak it.
   */
  Future<Void> postUpdates(String batchJson, String idempotencyKey) {
    String form = Protocol.DATA + "=" + encode(batchJson);
    if (options.token() == null) {
      form += "&" + Protocol.HMAC + "=" + encode(TimeTokens.sign(options.publishSecret(), batchJson, TimeTokens.systemSeconds()));
    }
    Buffer body = Buffer.buffer(form);
    long timeout = options.requestTimeout().toMillis();
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(options.baseUrl() + options.path("update"))
        .setConnectTimeout(timeout)
        .setIdleTimeout(timeout)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded")
        .putHeader(Protocol.IDEMPOTENCY_KEY, idempotencyKey);
    return exchange(request, req -> req.send(body), SyncClient::expectOk).mapEmpty();
  }

  /**
   * Follows the queue: {@code listener} gets the state and the changes after every line, with
   * {@code watch} semantics (PROTOCOL.md; empty for none). Reconnects after losing the stream or
   * a 5xx, with capped exponential back-off and jitter; ends on {@link Subscription#close()} or
   * when the server refuses (4xx), which fails {@link Subscription#done()}.
   */
  public Subscription poll(Set<String> watch, SyncListener listener) {
    Subscription subscription = new Subscription(this, vertx, Set.copyOf(watch), listener);
    subscriptions.add(subscription);
    subscription.done().onComplete(v -> subscriptions.remove(subscription));
    subscription.start();
    return subscription;
  }

  /** Ends every subscription, fails every publication still under way, releases the connections. */
  public Future<Void> close() {
    publications.forEach(Publication::cancel);
    return Future.all(subscriptions.stream().map(Subscription::close).toList())
        .eventually(() -> http.close())
        .mapEmpty();
  }

  /** The queue's primary-key field: from the options, or asked once of the server. */
  synchronized Future<String> pk() {
    if (options.pk() != null) {
      return Future.succeededFuture(options.pk());
    }
    if (pk == null || pk.failed()) {
      pk = get(options.path("info") + "?" + subscribeQuery(), SyncClient::expectOk)
          .map(body -> new JsonObject(body).getString(Protocol.INFO_PK));
    }
    return pk;
  }

  /** The query string that authenticates a subscriber now. */
  String subscribeQuery() {
    String query = Protocol.DATA + "=%7B%7D";
    if (options.subscribeSecret() != null && options.token() == null) {
      String token = TimeTokens.sign(options.subscribeSecret(), Protocol.POLL_MESSAGE, TimeTokens.systemSeconds());
      query += "&" + Protocol.HMAC + "=" + encode(token);
    }
    return query;
  }

  /** GETs {@code pathAndQuery}; {@code onResponse} runs in the callback that receives the response. */
  <T> Future<T> get(String pathAndQuery, Function<HttpClientResponse, Future<T>> onResponse) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(options.baseUrl() + pathAndQuery);
    return exchange(request, HttpClientRequest::send, onResponse);
  }

  /**
   * One request. The response is handed to {@code onResponse} in the very callback that receives
   * it: its body starts flowing then, and a handler set one callback later could miss part of it.
   */
  private <T> Future<T> exchange(RequestOptions request, Function<HttpClientRequest, Future<HttpClientResponse>> send,
                                 Function<HttpClientResponse, Future<T>> onResponse) {
    if (options.token() != null) {
      request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + options.token());
    }
    Promise<T> result = Promise.promise();
    // On the client's own context: called from any other thread, the response could otherwise be
    // handled on that thread while its body is being delivered on the event loop.
    context.runOnContext(v -> http.request(request)
        .compose(req -> send.apply(req).compose(onResponse))
        .recover(error -> Future.failedFuture(unreachable(error)))
        .onComplete(result));
    return result.future();
  }

  /** The body of a 200 response; any other status fails with the server's message and {@code Retry-After}. */
  static Future<String> expectOk(HttpClientResponse response) {
    return response.body().compose(body -> response.statusCode() == 200
        ? Future.succeededFuture(body.toString(StandardCharsets.UTF_8))
        : Future.failedFuture(new SyncException(response.statusCode(), body.toString(StandardCharsets.UTF_8),
            retryAfter(response.getHeader(HttpHeaders.RETRY_AFTER)), null)));
  }

  private static Duration retryAfter(String header) {
    return header != null && RETRY_AFTER_SECONDS.matcher(header).matches() ? Duration.ofSeconds(Long.parseLong(header)) : null;
  }

  private SyncException unreachable(Throwable error) {
    if (error instanceof SyncException known) {
      return known;
    }
    String what = error instanceof TimeoutException ? "no answer from " : "cannot reach ";
    return new SyncException(what + options.baseUrl() + ": " + error.getMessage(), error);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
