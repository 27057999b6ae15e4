package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.core.http.HttpMethod;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.auth.Access;
import org.syncbus.auth.Credentials;
import org.syncbus.auth.Jwt;
import org.syncbus.config.ConfigException;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Protocol;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;
import org.syncbus.limits.BodyBudget;
import org.syncbus.limits.Disconnect;
import org.syncbus.queue.IdempotencyKeys;
import org.syncbus.stream.StreamCodecs;
import org.syncbus.support.Fatal;

/**
 * The HTTP edge: {@code /poll}, {@code /update} and {@code /__ping} exactly as PROTOCOL.md for the
 * queue named {@code default}, the same under {@code /queues/Q/} for every queue, plus
 * {@code /queues/Q/info} and {@code /health}; sequenced and resumable streams
 * ({@code poll?format=seq&since=E:S}) and server-sent events ({@code /events}).
 *
 * <p>It authenticates and parses requests, sends batches to the queue's owner over the event bus
 * ({@code syncbus.Q.apply}) and fans the owner's stream out to its own subscribers through one
 * {@link QueueEdge} per queue. Several instances may run on one node ({@code -instances N}); each
 * has its own mirrors, all following the one owner per queue.
 *
 * <p><b>In a cluster.</b> A batch goes to the owner the queue's mirror knows, at that owner's own
 * address; sent to an owner that leaves the cluster before answering, it fails with 503 as soon
 * as Hazelcast removes the owner ({@link OwnerRequests}), not at the apply timeout, and until the
 * next owner announces itself, batches are refused with 503 at once. When this node's side of a split cluster merges into the other, every mirror
 * resynchronises with the owner. {@code /health} reports whether this node's side holds a
 * majority of {@code cluster.members}, and answers 503 while it does not.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());
  static final String DEFAULT_QUEUE = "default";
  private static final String NDJSON = "application/x-ndjson; charset=utf-8";
  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";
  /** How long the rest of a refused, too large body is read before the connection is closed. */
  private static final long DRAIN_MILLIS = 2_000;
  /**
   * An owner answers in milliseconds; one that does not within this is gone (503, retry). An owner
   * that left the cluster fails its batches earlier, when Hazelcast removes it.
   */
  private static final DeliveryOptions APPLY_OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private final RunningConfig running;
  private final String nodeId;
  private final EdgeResources shared;
  private final Clock clock;
  private final List<Mount> mounts;
  private SyncbusConfig config;
  private long keepAliveTimer = -1;
  private Runnable stopFollowing = () -> { };
  private Runnable stopFollowingTls = () -> { };
  private final Map<String, QueueEdge> edges = new LinkedHashMap<>();
  private final OwnerRequests ownerRequests = new OwnerRequests();
  private Runnable stopFollowingCluster = () -> { };
  private Access access;
  private HttpRefusals refusals;
  private ConnectionGuard guard;
  private HttpServer server;

  /**
   * @param running the node's configuration, followed on this verticle's event loop
   * @param nodeId this node's id, reported by {@code /queues/Q/info}
   * @param shared what the node's edges share: subscriber counts, limits, the clients' log
   * @param mounts routers to mount on this edge (the SockJS bridge)
   */
  public HttpVerticle(RunningConfig running, String nodeId, EdgeResources shared, Clock clock, List<Mount> mounts) {
    this.running = running;
    this.nodeId = nodeId;
    this.shared = shared;
    this.clock = clock;
    this.mounts = List.copyOf(mounts);
  }

  /** The port this edge listens on, once started. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    StreamCodecs.register(vertx.eventBus());
    config = running.get();
    access = new Access(vertx, clock, config);
    refusals = new HttpRefusals(shared.clientLog(), shared.metrics());
    guard = new ConnectionGuard(vertx, shared.limits().connections(), () -> config, shared.clientLog(),
        this::refuseSlowBody, shared.metrics(), () -> server.actualPort());
    for (SyncbusConfig.Queue queue : config.queues().values()) {
      edges.put(queue.name(), newEdge(queue, config));
    }
    SyncbusConfig.Http http = config.http();
    // Strict thread mode: every request and response of an edge lives on its event loop, so
    // writes go straight to the channel, without a per-connection queue (less memory and CPU per
    // subscriber). No WebSocket compression: its handler would sit in every connection's pipeline
    // and see every line written. No h2c: its handler waits for a connection's first bytes before
    // Vert.x sees the connection, and a connection that sends nothing must be counted and timed.
    // With http.tls, the node's wiring loaded the certificate before this edge started.
    Router router = router();
    server = vertx.createHttpServer(shared.tls().secure(new HttpServerOptions().setHost(http.host()).setPort(http.port())
            .setStrictThreadMode(true)
            .setHttp2ClearTextEnabled(false)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)))
        .connectionHandler(guard::onConnection)
        .invalidRequestHandler(refusals::refuseMalformed)
        .exceptionHandler(Fatal::check)
        .requestHandler(request -> {
          guard.onRequest(request);
          router.handle(request);
        });
    guard.start();
    scheduleKeepAlive();
    stopFollowing = running.follow(context, this::reconfigure);
    return Future.all(edges.values().stream().map(QueueEdge::start).toList())
        .compose(v -> server.listen())
        .recover(error -> Future.failedFuture(ConfigException.cannotListen("http", http.host(), http.port(), error)))
        .onSuccess(s -> {
          stopFollowingTls = shared.tls().follow(s::updateSSLOptions);
          followCluster();
          LOG.fine(() -> "HTTP edge listening on " + http.host() + ":" + s.actualPort());
        });
  }

  private void followCluster() {
    ClusterView cluster = shared.cluster();
    Runnable stopLeft = cluster.onNodeLeft(node -> context.runOnContext(v -> {
      ownerRequests.ownerLeft(node);
      edges.values().forEach(edge -> edge.nodeLeft(node));
    }));
    Runnable stopMerged = cluster.onMerged(() -> context.runOnContext(v -> edges.values().forEach(edge ->
        edge.resynchronise("this node's side of a split cluster merged into the other"))));
    stopFollowingCluster = () -> {
      stopLeft.run();
      stopMerged.run();
    };
  }

  private QueueEdge newEdge(SyncbusConfig.Queue queue, SyncbusConfig config) {
    return new QueueEdge(vertx, clock, queue, config, shared.counts().of(queue.name()), shared.metrics().queue(queue.name()),
        shared.clientLog());
  }

  private void scheduleKeepAlive() {
    vertx.cancelTimer(keepAliveTimer);
    long keepAlive = config.sse().keepAliveSeconds() * 1000;
    keepAliveTimer = vertx.setPeriodic(keepAlive, keepAlive, id -> edges.values().forEach(QueueEdge::keepAlive));
  }

  /**
   * Takes a reloaded configuration: tokens and keys for the next requests, new queues served at
   * once, removed ones ended (their streams end cleanly; their paths answer 404), the others'
   * secrets and limits changed without touching their open streams.
   */
  private void reconfigure(SyncbusConfig next) {
    boolean keepAliveChanged = next.sse().keepAliveSeconds() != config.sse().keepAliveSeconds();
    config = next;
    access.reconfigure(next);
    for (String name : List.copyOf(edges.keySet())) {
      if (!next.queues().containsKey(name)) {
        edges.remove(name).stop().onFailure(error -> LOG.log(Level.WARNING, "queue " + name + ": stopping its edge", error));
      }
    }
    for (SyncbusConfig.Queue queue : next.queues().values()) {
      QueueEdge edge = edges.get(queue.name());
      if (edge == null) {
        QueueEdge added = newEdge(queue, next);
        edges.put(queue.name(), added);
        added.start().onFailure(error -> LOG.log(Level.WARNING, "queue " + queue.name() + ": starting its edge", error));
      } else {
        edge.reconfigure(queue, next);
      }
    }
    if (keepAliveChanged) {
      scheduleKeepAlive();
    }
  }

  @Override
  public Future<?> stop() {
    stopFollowing.run();
    stopFollowingTls.run();
    stopFollowingCluster.run();
    guard.stop();
    return Future.all(edges.values().stream().map(QueueEdge::stop).toList())
        .eventually(() -> server.close());
  }

  private Router router() {
    Router router = Router.router(vertx);
    if (!config.http().allowedOrigins().isEmpty()) {
      // Credentials allowed: sockjs-client sends its requests with credentials, which a browser
      // lets a page read only with Access-Control-Allow-Credentials: true. The SockJS handler would
      // say so itself, but leaves CORS to this handler once it has run, so this one must. Only the
      // listed origins get it, each echoed by name (the list never holds "*": see SyncbusConfig);
      // syncbus authenticates with tokens, never cookies, so credentials grant a page nothing more.
      router.route().handler(CorsHandler.create()
          .addOrigins(config.http().allowedOrigins())
          .allowCredentials(true)
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Authorization", "Content-Type", Protocol.LAST_EVENT_ID)));
    }
    for (Mount mount : mounts) {
      String path = mount.path() + "/*";
      // A mounted bridge (SockJS) answers any Origin with CORS headers of its own: pages of other
      // origins are refused here unless http.cors.allowedOrigins names them.
      router.route(path).handler(this::sameOriginOrAllowed);
      router.route(path).subRouter(mount.router(vertx, view()));
    }
    router.get("/__ping").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end("pong"));
    router.get("/health").handler(this::health);
    new Observability(vertx, () -> config, () -> access, shared.metrics(), edges::values, shared.cluster(), refusals)
        .mount(router);
    router.get("/poll").handler(ctx -> poll(ctx, DEFAULT_QUEUE));
    router.get("/events").handler(ctx -> events(ctx, DEFAULT_QUEUE));
    router.post("/update").handler(ctx -> update(ctx, DEFAULT_QUEUE));
    router.get("/queues/:queue/poll").handler(ctx -> poll(ctx, ctx.pathParam("queue")));
    router.get("/queues/:queue/events").handler(ctx -> events(ctx, ctx.pathParam("queue")));
    router.post("/queues/:queue/update").handler(ctx -> update(ctx, ctx.pathParam("queue")));
    router.get("/queues/:queue/info").handler(ctx -> info(ctx, ctx.pathParam("queue")));
    // What vertx-web refuses before a syncbus handler runs (a bad escape in the path, no Host, an
    // origin CORS refuses) is a client's doing: one throttled line, never a stack trace.
    for (int status = 400; status < 500; status++) {
      int code = status;
      router.errorHandler(code, ctx -> refusals.refuseUnrouted(ctx.request(), code, ctx.failure()));
    }
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "HTTP " + ctx.request().method() + " " + ctx.request().path() + " failed", ctx.failure());
      if (!ctx.response().headWritten()) {
        refusals.refuse(ctx.request(), Refusal.UNEXPECTED.with(null));
      } else {
        ctx.response().reset();
      }
    });
    return router;
  }

  /** What a mounted router may use of this edge. */
  private EdgeView view() {
    return new EdgeView() {
      @Override
      public Access access() {
        return access;
      }

      @Override
      public List<QueueView> queues() {
        return List.copyOf(edges.values());
      }

      @Override
      public QueueView queue(String name) {
        return edges.get(name);
      }

      @Override
      public void refuse(HttpServerRequest request, Throwable error) {
        refusals.refuse(request, error);
      }
    };
  }

  private void sameOriginOrAllowed(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    boolean sameOrigin = origin == null || (host != null && (origin.equals("http://" + host) || origin.equals("https://" + host)));
    if (sameOrigin || config.http().allowedOrigins().contains(origin)) {
      ctx.next();
    } else {
      refusals.refuse(ctx.request(), Refusal.FORBIDDEN.with("origin " + origin + " is not in http.cors.allowedOrigins"));
    }
  }

  private void poll(RoutingContext ctx, String queue) {
    String formatName = FormBody.queryParam(ctx.request(), Protocol.FORMAT);
    if (formatName != null && !formatName.equals("seq")) {
      refusals.refuse(ctx.request(), Refusal.BAD_PARAMETER.with("format: unknown format \"" + formatName + "\" (expected \"seq\")"));
      return;
    }
    Format format = formatName == null ? Format.PLAIN : Format.SEQ;
    String sinceText = FormBody.queryParam(ctx.request(), Protocol.SINCE);
    if (sinceText != null && format == Format.PLAIN) {
      refusals.refuse(ctx.request(), Refusal.BAD_PARAMETER.with("since: resuming needs format=seq"));
      return;
    }
    stream(ctx, queue, format, sinceText, NDJSON);
  }

  /** Server-sent events: resumes from {@code Last-Event-ID}, else from a {@code since} parameter. */
  private void events(RoutingContext ctx, String queue) {
    String lastEventId = ctx.request().getHeader(Protocol.LAST_EVENT_ID);
    String sinceText = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim()
        : FormBody.queryParam(ctx.request(), Protocol.SINCE);
    stream(ctx, queue, Format.SSE, sinceText, EVENT_STREAM);
  }

  private void stream(RoutingContext ctx, String queue, Format format, String sinceText, String contentType) {
    QueueEdge.Since since = null;
    if (sinceText != null) {
      since = QueueEdge.Since.parse(sinceText);
      if (since == null) {
        refusals.refuse(ctx.request(), Refusal.BAD_PARAMETER.with("since: expected EPOCH:SEQ"));
        return;
      }
    }
    QueueEdge.Since resumeFrom = since;
    subscribable(ctx, queue).onSuccess(edge -> {
      HttpServerResponse response = ctx.response()
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      ChunkWriter chunks = ChunkWriter.of(ctx.request(), guard::handedOver);
      if (chunks != null) {
        // The stream will hold its channel itself (ChunkWriter.handOver): when it ends, its
        // connection closes instead of taking a next request.
        response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
      edge.subscribe(response, ctx.request().connection(), format, resumeFrom, chunks);
      forgetHeaders(ctx.request());
    });
  }

  /**
   * Drops the headers of a stream's request and response once its head is written: the stream
   * keeps both objects for its whole life, and nothing reads them again (Vert.x decides keep-alive
   * when the request begins; the head is encoded once). Thousands of idle subscribers each keep
   * less.
   */
  private static void forgetHeaders(HttpServerRequest request) {
    if (request.response().headWritten()) {
      request.headers().clear();
      request.response().headers().clear();
    }
  }

  private void info(RoutingContext ctx, String queue) {
    subscribable(ctx, queue).onSuccess(edge -> info(ctx, queue, edge));
  }

  private void info(RoutingContext ctx, String queue, QueueEdge edge) {
    JsonObject info = new JsonObject()
        .put(Protocol.INFO_QUEUE, queue)
        .put(Protocol.INFO_PK, edge.config().pk())
        .put(Protocol.EPOCH, edge.epoch())
        .put(Protocol.SEQ, edge.seq())
        .put(Protocol.INFO_RECORDS, edge.records())
        .put(Protocol.INFO_SUBSCRIBERS, edge.nodeSubscribers())
        .put(Protocol.INFO_NODE, nodeId)
        .put(Protocol.INFO_OWNER, edge.owner());
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(info.encode());
  }

  /**
   * The queue's edge once the request may subscribe to it now; otherwise the request is refused
   * and the future fails. Completes in the event-loop turn that subscribes.
   */
  private Future<QueueEdge> subscribable(RoutingContext ctx, String queue) {
    HttpServerRequest request = ctx.request();
    QueueEdge edge = edges.get(queue);
    Future<QueueEdge> allowed = edge == null ? Future.failedFuture(Refusal.UNKNOWN_QUEUE.with(queue))
        : access.authorize(queue, Jwt.Right.SUBSCRIBE, subscribeCredentials(request), Protocol.POLL_MESSAGE)
            .compose(v -> edge.ready() ? Future.succeededFuture(edge) : Future.failedFuture(
                Refusal.NOT_READY.with("queue " + queue + " is loading its backlog; retry later")));
    return allowed.onFailure(error -> refusals.refuse(ctx.request(), error));
  }

  /**
   * A batch to publish. Its body is buffered whole (the token is inside it), so before a byte of
   * it is read the body claims its declared length from the node's budget of bodies in memory
   * ({@code limits.bufferedBodyBytes}): with no room the request is answered 503 at once. The
   * claim is given back when the request ends, however it ends.
   */
  private void update(RoutingContext ctx, String queue) {
    HttpServerRequest request = ctx.request();
    QueueEdge edge = edges.get(queue);
    if (edge == null) {
      refusals.refuse(request, Refusal.UNKNOWN_QUEUE.with(queue));
      return;
    }
    long maxBody = config.http().maxBodyBytes();
    long declared = FormBody.declaredLength(request);
    BodyBudget.Claim claim = shared.limits().bodies().claim();
    ctx.addEndHandler(ended -> claim.release());
    if (declared > maxBody) {
      refuseBody(request, new FormBody.TooLarge(maxBody));
      return;
    }
    if (declared > 0 && !claim.grow(declared)) {
      refuseBody(request, new FormBody.NoRoom());
      return;
    }
    guard.bodyStarted(request);
    FormBody.read(request, maxBody, claim, bytes -> guard.bodyBytes(request, bytes))
        .map(FormBody::parse)
        .onSuccess(form -> publish(request, edge, form))
        .onFailure(error -> refuseBody(request, error));
  }

  private void publish(HttpServerRequest request, QueueEdge edge, Map<String, String> form) {
    String data = form.get(Protocol.DATA);
    if (data == null) {
      refusals.refuse(request, Refusal.MISSING_DATA.with(null));
      return;
    }
    List<String> keys = request.headers().getAll(Protocol.IDEMPOTENCY_KEY);
    String key = keys.isEmpty() ? null : keys.get(0);
    String badKey = keys.size() > 1 ? "more than one header" : key == null ? null : IdempotencyKeys.invalid(key);
    if (badKey != null) {
      refusals.refuse(request, Refusal.INVALID_KEY.with(badKey));
      return;
    }
    Credentials credentials = new Credentials(Credentials.bearer(request.getHeader(HttpHeaders.AUTHORIZATION)),
        form.get(Protocol.HMAC));
    access.authorize(edge.config().name(), Jwt.Right.PUBLISH, credentials, data)
        .onSuccess(v -> apply(request, edge, data, key))
        .onFailure(error -> refusals.refuse(request, error));
  }

  /**
   * Sends the batch to its owner and answers with the outcome: 200 once applied, or once
   * recognised as a retry of a batch applied under the same idempotency key (then with
   * {@code Idempotent-Replayed: true}).
   */
  private void apply(HttpServerRequest request, QueueEdge edge, String data, String key) {
    String queue = edge.config().name();
    String address = edge.applyAddress();
    if (address == null) {
      refusals.refuse(request, Refusal.NOT_READY.with("queue " + queue + " has no owner right now (node "
          + edge.owner() + " left the cluster or stepped down, and no next owner has announced itself); retry later"));
      return;
    }
    String owner = address.equals(Addresses.apply(queue)) ? null : edge.owner();
    DeliveryOptions options = key == null ? APPLY_OPTIONS
        : new DeliveryOptions(APPLY_OPTIONS).addHeader(Addresses.IDEMPOTENCY_KEY, key);
    ownerRequests.track(queue, owner, vertx.eventBus().<JsonObject>request(address, data, options))
        .onSuccess(reply -> {
          if (reply.body() != null && reply.body().getBoolean(Protocol.DUPLICATE, false)) {
            request.response().putHeader(Protocol.IDEMPOTENT_REPLAYED, "true");
          }
          request.response().end();
        })
        .onFailure(error -> {
          if (error instanceof Refused ownerLeft) { // OwnerRequests: the owner left the cluster
            refusals.refuse(request, ownerLeft);
            return;
          }
          if (owner != null && error instanceof ReplyException failed && failed.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
            edge.ownerAbsent(owner); // nobody at the owner's address, or no answer: the next batches wait for the next owner
          }
          Refusal refusal = Refusal.ofReply(error);
          switch (refusal) {
            case INVALID_BATCH, QUEUE_FULL, KEY_CONFLICT -> refusals.refuse(request, refusal.with(error.getMessage()));
            case NOT_READY -> refusals.refuse(request, refusal.with(error instanceof ReplyException reply
                && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
                ? "queue " + queue + " has no owner right now (starting, or changing owner); retry later"
                : error.getMessage()));
            default -> {
              LOG.log(Level.WARNING, "queue " + queue + ": apply failed", error);
              refusals.refuse(request, Refusal.UNEXPECTED.with(null));
            }
          }
        });
  }

  /**
   * A subscriber's credentials: a JWT in {@code Authorization: Bearer …}, or in
   * {@code access_token} (a browser's {@code EventSource} cannot send headers), else the time
   * token {@code hmac}.
   */
  private static Credentials subscribeCredentials(HttpServerRequest request) {
    String bearer = Credentials.bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (bearer == null) {
      bearer = FormBody.queryParam(request, Protocol.ACCESS_TOKEN);
    }
    return new Credentials(bearer, FormBody.queryParam(request, Protocol.HMAC));
  }

  /**
   * Refuses a body that will not be read whole: too large, no room in the budget, malformed. A
   * refusal sent while the client still sends its body would be lost to a reset if the connection
   * closed at once: the rest is read and dropped for a bounded time, then the connection closes.
   * (Not through the response's end handler: vertx-web's end handlers, which give the body's claim
   * on the budget back, hang on it.)
   */
  private void refuseBody(HttpServerRequest request, Throwable error) {
    HttpServerResponse response = request.response();
    if (error instanceof FormBody.TooLarge || error instanceof FormBody.NoRoom) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
      Refusal refusal = error instanceof FormBody.TooLarge ? Refusal.TOO_LARGE : Refusal.BUSY;
      refusals.refuse(request, refusal.with(error.getMessage())).onComplete(v -> closeOnceRead(request));
    } else if (error instanceof FormBody.Malformed) {
      refusals.refuse(request, Refusal.MALFORMED_FORM.with(error.getMessage()));
    } else {
      LOG.log(Level.FINE, "reading an update body failed", error);
      if (!response.closed()) {
        response.reset();
      }
    }
  }

  /** A body slower than {@code limits.minBodyBytesPerSecond}: 408, and its connection closed. */
  private void refuseSlowBody(HttpServerRequest request, String why) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      request.connection().close();
      return;
    }
    response.putHeader(HttpHeaders.CONNECTION, "close");
    refusals.refuse(request, Refusal.TOO_SLOW.with(why)).onComplete(v -> closeOnceRead(request));
  }

  private void closeOnceRead(HttpServerRequest request) {
    if (request.isEnded()) {
      request.connection().close();
      return;
    }
    // A client that neither sends the rest nor reads the answer is cut when the time is up.
    long timer = vertx.setTimer(DRAIN_MILLIS, id -> Disconnect.now(request.connection()));
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      request.connection().close();
    });
  }

  /**
   * Up when every queue is ready and, in a cluster, this node's side holds a majority
   * ({@code quorum}, only in a cluster): a node cut off with a minority serves its last state to
   * subscribers but acknowledges nothing, and a load balancer should send publishers elsewhere.
   */
  private void health(RoutingContext ctx) {
    JsonObject queues = new JsonObject();
    boolean up = true;
    for (QueueEdge edge : edges.values()) {
      queues.put(edge.config().name(), new JsonObject().put(Protocol.HEALTH_READY, edge.ready()));
      up &= edge.ready();
    }
    JsonObject body = new JsonObject();
    ClusterView cluster = shared.cluster();
    if (cluster.clustered()) {
      boolean quorum = cluster.quorum();
      body.put(Protocol.HEALTH_QUORUM, quorum);
      up &= quorum;
    }
    body.put(Protocol.HEALTH_STATUS, up ? "UP" : "DOWN").put(Protocol.HEALTH_QUEUES, queues);
    ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body.encode());
  }
}
