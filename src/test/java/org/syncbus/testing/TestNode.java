package org.syncbus.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.syncbus.Node;

/**
 * A running syncbus node seen from outside: its port, its configuration (for the secrets), and
 * the requests of the wire protocol made over real HTTP on loopback. Streams it opens are
 * remembered so the test's end can close them and check that the node let go of them.
 *
 * <p>The clients run on one Vert.x (the test's), the node on another or the same: a cluster's
 * members are separate Vert.x instances, seen through clients that outlive any one of them.
 */
public final class TestNode {
  public static final String HOST = "127.0.0.1";

  private final Vertx vertx;
  private final Vertx server;
  private final int port;
  private final JsonObject config;
  private final HttpClientOptions clientOptions;
  private final HttpClientAgent client;
  private final List<PollStream> streams = new ArrayList<>();

  /** A node running on {@code vertx}, seen through clients of the same Vert.x. */
  public TestNode(Vertx vertx, int port, JsonObject config) {
    this(vertx, vertx, port, config);
  }

  /** The node running on {@code server}, seen through clients of {@code clients}. */
  public TestNode(Vertx clients, Vertx server, int port, JsonObject config) {
    this(clients, server, port, config, new HttpClientOptions());
  }

  /**
   * The node running on {@code server}, seen through clients of {@code clients} made from
   * {@code clientOptions} (TLS: {@code setSsl(true)} and the CA to trust).
   */
  public TestNode(Vertx clients, Vertx server, int port, JsonObject config, HttpClientOptions clientOptions) {
    this.vertx = clients;
    this.server = server;
    this.port = port;
    this.config = config;
    this.clientOptions = new HttpClientOptions(clientOptions);
    this.client = vertx.createHttpClient(new HttpClientOptions(clientOptions).setDefaultHost(HOST).setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(16));
  }

  public int port() {
    return port;
  }

  /** The Vert.x of this node's clients. */
  public Vertx vertx() {
    return vertx;
  }

  /** The node's own id, as {@code /queues/Q/info} names it ({@code node}, {@code owner}). */
  public String nodeId() {
    return Node.of(server).id();
  }

  public String publishSecret(String queue) {
    return secret(queue, "publish");
  }

  public String subscribeSecret(String queue) {
    return secret(queue, "subscribe");
  }

  private String secret(String queue, String which) {
    JsonObject secrets = config.getJsonObject("queues").getJsonObject(queue).getJsonObject("secrets");
    String secret = secrets == null ? null : secrets.getString(which);
    return secret == null ? "" : secret;
  }

  /** A fresh subscribe token for {@code queue}; none when it has no secret (tokens disabled). */
  public String pollToken(String queue) {
    String secret = subscribeSecret(queue);
    return secret.isEmpty() ? null : Tokens.poll(secret);
  }

  /** {@code /poll} for {@code default} (the original's path), {@code /queues/Q/poll} otherwise. */
  public static String pollPath(String queue) {
    return Configs.DEFAULT.equals(queue) ? "/poll" : "/queues/" + queue + "/poll";
  }

  /** {@code /update} for {@code default} (the original's path), {@code /queues/Q/update} otherwise. */
  public static String updatePath(String queue) {
    return Configs.DEFAULT.equals(queue) ? "/update" : "/queues/" + queue + "/update";
  }

  public static String infoPath(String queue) {
    return "/queues/" + queue + "/info";
  }

  public Future<HttpReply> send(HttpMethod method, String uri, String contentType, Buffer body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return send(method, uri, headers, body);
  }

  public Future<HttpReply> send(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    // The body is asked for in the same callback that receives the response: later, it may be gone.
    return client.request(method, uri).compose(request -> {
      request.headers().addAll(headers);
      return (body == null ? request.send() : request.send(body)).compose(response -> response.body().map(bytes ->
          new HttpReply(response.statusCode(), response.headers(), bytes.toString(StandardCharsets.UTF_8))));
    });
  }

  public Future<HttpReply> get(String uri) {
    return send(HttpMethod.GET, uri, (String) null, null);
  }

  /** A POST of {@code body}, already form-encoded. */
  public Future<HttpReply> postForm(String uri, String body) {
    return send(HttpMethod.POST, uri, "application/x-www-form-urlencoded", Buffer.buffer(body, "UTF-8"));
  }

  /** A POST of {@code body}, already form-encoded, sent in chunks without a Content-Length. */
  public Future<HttpReply> postFormChunked(String uri, String body, int chunkBytes) {
    return client.request(HttpMethod.POST, uri).compose(request -> {
      request.setChunked(true).putHeader("Content-Type", "application/x-www-form-urlencoded");
      Future<HttpReply> reply = request.response().compose(response -> response.body().map(bytes ->
          new HttpReply(response.statusCode(), response.headers(), bytes.toString(StandardCharsets.UTF_8))));
      Buffer bytes = Buffer.buffer(body, "UTF-8");
      for (int start = 0; start < bytes.length(); start += chunkBytes) {
        request.write(bytes.getBuffer(start, Math.min(bytes.length(), start + chunkBytes)));
      }
      request.end();
      return reply;
    });
  }

  /** {@code POST uri} with form fields {@code data} and {@code hmac} (either left out when null). */
  public Future<HttpReply> postUpdate(String uri, String data, String token) {
    StringBuilder form = new StringBuilder();
    if (data != null) {
      form.append("data=").append(Tokens.encode(data));
    }
    if (token != null) {
      form.append(form.length() == 0 ? "" : "&").append("hmac=").append(Tokens.encode(token));
    }
    return postForm(uri, form.toString());
  }

  /** Publishes {@code batch} to {@code queue} as a publisher does: signed with its publish secret, now. */
  public Future<HttpReply> publish(String queue, String batch) {
    String secret = publishSecret(queue);
    return postUpdate(updatePath(queue), batch, secret.isEmpty() ? null : Tokens.update(secret, batch));
  }

  /** Publishes as {@link #publish} does, with one {@code Idempotency-Key} header per key given. */
  public Future<HttpReply> publish(String queue, String batch, String... idempotencyKeys) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/x-www-form-urlencoded");
    for (String key : idempotencyKeys) {
      headers.add("Idempotency-Key", key);
    }
    String form = "data=" + Tokens.encode(batch) + "&hmac=" + Tokens.encode(Tokens.update(publishSecret(queue), batch));
    return send(HttpMethod.POST, updatePath(queue), headers, Buffer.buffer(form, "UTF-8"));
  }

  /** Publishes and fails unless the node answers 200. */
  public Future<Void> publishOk(String queue, String batch) {
    return publish(queue, batch).compose(reply -> reply.status() == 200
        ? Future.succeededFuture()
        : Future.failedFuture(new AssertionError("publishing " + batch + " to " + queue + ": " + reply)));
  }

  /** Opens {@code GET uri} as a stream, whatever the status; the leak check closes it. */
  public Future<PollStream> openPoll(String uri) {
    return openPoll(uri, Map.of());
  }

  /** Opens {@code GET uri} with request {@code headers} as a stream; the leak check closes it. */
  public Future<PollStream> openPoll(String uri, Map<String, String> headers) {
    return PollStream.open(vertx, clientOptions, port, uri, headers).onSuccess(this::remember);
  }

  /** Subscribes to {@code queue} as a subscriber does: its poll path, a fresh subscribe token. */
  public Future<PollStream> poll(String queue) {
    return openPoll(pollPath(queue) + Tokens.pollQuery(pollToken(queue)));
  }

  /** Subscribes and fails unless the node answers 200. */
  public Future<PollStream> pollOk(String queue) {
    return poll(queue).compose(stream -> stream.status() == 200
        ? Future.succeededFuture(stream)
        : stream.refusalBody().transform(body -> Future.failedFuture(
            new AssertionError("poll of " + queue + " answered " + stream.status() + ": " + body.result()))));
  }

  /** The backlog as a new subscriber receives it: the first line of a fresh poll, which is then closed. */
  public Future<String> backlogLine(String queue) {
    return pollOk(queue).compose(stream -> stream.line(0).eventually(stream::close));
  }

  /** {@code GET /queues/Q/info} with a valid subscribe token. */
  public Future<HttpReply> info(String queue) {
    return get(infoPath(queue) + Tokens.pollQuery(pollToken(queue)));
  }

  public Future<JsonObject> infoOk(String queue) {
    return info(queue).compose(reply -> reply.status() == 200
        ? Future.succeededFuture(new JsonObject(reply.body()))
        : Future.failedFuture(new AssertionError("info of " + queue + ": " + reply)));
  }

  /** Waits (bounded, on a timer) until {@code /queues/Q/info} counts {@code count} subscribers. */
  public Future<JsonObject> awaitSubscribers(String queue, int count) {
    return Await.eventually(vertx, "queue " + queue + " with " + count + " subscribers", 100, 20,
        () -> infoOk(queue), info -> info.getInteger("subscribers") == count);
  }

  /** Waits (bounded) until every queue answers polls: backlog loaded, edges synchronised. */
  public Future<HttpReply> awaitReady() {
    return Await.eventually(vertx, "every queue ready (/health 200)", 250, 20, () -> get("/health"),
        reply -> reply.status() == 200);
  }

  private synchronized void remember(PollStream stream) {
    streams.add(stream);
  }

  /**
   * The leak check: closes every stream this node's clients opened, then waits until every ready
   * queue's {@code /queues/Q/info} counts no subscriber (a queue still loading cannot have any,
   * and its node-wide count must be 0 too); then closes the clients.
   */
  public Future<Void> closeAndCheckNoSubscribers() {
    return closeStreamsAndCheckNoSubscribers().eventually(client::close);
  }

  /**
   * The leak check of {@link #closeAndCheckNoSubscribers()}, keeping the clients for the next test
   * (of a cluster that outlives its tests).
   */
  public Future<Void> closeStreamsAndCheckNoSubscribers() {
    Node node = Node.of(server);
    return closeStreams()
        .transform(closed -> Future.all(config.getJsonObject("queues").fieldNames().stream()
            .map(queue -> Await.eventually(vertx, "queue " + queue + " with no subscriber left on node " + port
                    + " (streams opened with PollStream.open directly are not closed by the harness: use"
                    + " TestNode.openPoll)", 100, 20,
                () -> info(queue).map(reply -> reply.status() == 200
                    ? new JsonObject(reply.body()).getInteger("subscribers")
                    : node.subscribers().of(queue).get()),
                subscribers -> subscribers == 0))
            .toList()))
        .mapEmpty();
  }

  /** Closes every stream this node's clients opened (each from the client side, whatever the node did). */
  public Future<Void> closeStreams() {
    List<PollStream> open;
    synchronized (this) {
      open = List.copyOf(streams);
      streams.clear();
    }
    return Future.join(open.stream().map(PollStream::close).toList()).mapEmpty();
  }

  /** Closes the clients (not the streams: see {@link #closeAndCheckNoSubscribers()}). */
  public Future<Void> close() {
    return client.close();
  }
}
