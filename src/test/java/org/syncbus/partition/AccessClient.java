package org.syncbus.partition;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.syncbus.testing.Await;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.Tokens;

/**
 * The wire protocol over the access link, as publishers and subscribers on other machines use
 * it: requests from the root namespace to {@code http://10.78.R.I:8000}. Every request is bounded:
 * {@value #CONNECT_MILLIS} ms to connect, and no more than its idle timeout without a byte of
 * answer (a paused or cut-off node that never answers shows as a failed future, not a hang).
 */
final class AccessClient implements AutoCloseable {
  static final long CONNECT_MILLIS = 3_000;
  /** A probe (health, info) answers at once or the node is in trouble. */
  static final long PROBE_MILLIS = 5_000;
  /**
   * A publish may wait this long for its answer: longer than the owner's apply timeout (10 s), so a
   * 503 that comes only at that timeout is seen as such rather than as the client giving up.
   */
  static final long PUBLISH_MILLIS = 20_000;
  private static final String UPDATE = "/update";
  private static final String POLL = "/poll";

  private final Vertx vertx;
  private final HttpClientAgent client;

  AccessClient(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) CONNECT_MILLIS),
        new PoolOptions().setHttp1MaxSize(16));
  }

  Future<HttpReply> get(NetNode node, String uri) {
    return send(node, HttpMethod.GET, uri, null, PROBE_MILLIS);
  }

  /** {@code /health}: its status, and its body (with {@code "quorum"} when clustered). */
  Future<HttpReply> health(NetNode node) {
    return get(node, "/health");
  }

  /** {@code /queues/default/info}, which must answer 200. */
  Future<JsonObject> info(NetNode node) {
    return get(node, "/queues/default/info" + pollQuery()).compose(reply -> reply.status() == 200
        ? Future.succeededFuture(new JsonObject(reply.body()))
        : Future.failedFuture(new AssertionError("info of " + node + ": " + reply)));
  }

  /** Publishes {@code batch} as a publisher does: a form signed with the publish secret, now. */
  Future<HttpReply> publish(NetNode node, String batch) {
    String form = "data=" + Tokens.encode(batch) + "&hmac=" + Tokens.encode(Tokens.update(NetCluster.PUBLISH_SECRET, batch));
    return send(node, HttpMethod.POST, UPDATE, Buffer.buffer(form, StandardCharsets.UTF_8.name()), PUBLISH_MILLIS);
  }

  /** Opens {@code GET /poll?format=seq} (resuming after {@code since}, {@code E:S}, unless null). */
  Future<SeqStream> openSeq(NetNode node, String since) {
    String uri = POLL + pollQuery() + "&format=seq" + (since == null ? "" : "&since=" + Tokens.encode(since));
    return SeqStream.open(vertx, new RequestOptions().setHost(node.accessAddress()).setPort(NetNode.HTTP_PORT)
        .setURI(uri).setConnectTimeout(CONNECT_MILLIS));
  }

  /** The query of a poll (or info) request: {@code data={}} and a fresh subscribe token. */
  static String pollQuery() {
    return Tokens.pollQuery(Tokens.poll(NetCluster.SUBSCRIBE_SECRET));
  }

  private Future<HttpReply> send(NetNode node, HttpMethod method, String uri, Buffer body, long idleMillis) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(node.accessAddress())
        .setPort(NetNode.HTTP_PORT).setURI(uri).setConnectTimeout(CONNECT_MILLIS).setIdleTimeout(idleMillis);
    if (body != null) {
      options.putHeader("Content-Type", "application/x-www-form-urlencoded");
    }
    // The body is asked for in the same callback that receives the response: later, it may be gone.
    return client.request(options).compose(request -> (body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(bytes ->
            new HttpReply(response.statusCode(), response.headers(), bytes.toString(StandardCharsets.UTF_8)))));
  }

  @Override
  public void close() {
    Await.await(client.close());
  }
}
