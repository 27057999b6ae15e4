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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.Addresses;
import org.syncbus.Failure;
import org.syncbus.NodeState;
import org.syncbus.Protocol;
import org.syncbus.auth.TimeTokens;
import org.syncbus.config.ConfigException;
import org.syncbus.config.SyncbusConfig;

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
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());
  static final String DEFAULT_QUEUE = "default";
  private static final String NDJSON = "application/x-ndjson; charset=utf-8";
  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";
  /** An owner answers in milliseconds; one that does not within this is gone (503, retry). */
  private static final DeliveryOptions APPLY_OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private final SyncbusConfig config;
  private final NodeState node;
  private final Map<String, QueueEdge> edges = new LinkedHashMap<>();
  private TimeTokens tokens;
  private HttpServer server;

  public HttpVerticle(SyncbusConfig config, NodeState node) {
    this.config = config;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    SyncbusConfig.TimeTokens tokenConfig = config.timeTokens();
    tokens = new TimeTokens(tokenConfig.ttlSeconds(), tokenConfig.maxSkewSeconds(), TimeTokens::systemSeconds);
    for (SyncbusConfig.Queue queue : config.queues().values()) {
      edges.put(queue.name(), new QueueEdge(vertx, queue, config.limits().subscriberBufferBytes(),
          node.subscribers(queue.name())));
    }
    SyncbusConfig.Http http = config.http();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(http.port()))
        .requestHandler(router());
    long keepAlive = config.sse().keepAliveSeconds() * 1000;
    vertx.setPeriodic(keepAlive, keepAlive, id -> edges.values().forEach(QueueEdge::keepAlive));
    return Future.all(edges.values().stream().map(QueueEdge::start).toList())
        .compose(v -> server.listen())
        .recover(error -> Future.failedFuture(new ConfigException("http.port: cannot listen on "
            + http.host() + ":" + http.port() + " (" + error.getMessage() + ")")))
        .onSuccess(s -> {
          node.httpPort(s.actualPort());
          LOG.fine(() -> "HTTP edge listening on " + http.host() + ":" + s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    return Future.all(edges.values().stream().map(QueueEdge::stop).toList())
        .eventually(() -> server.close());
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.get("/__ping").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end("pong"));
    router.get("/health").handler(this::health);
    router.get("/poll").handler(ctx -> poll(ctx, DEFAULT_QUEUE));
    router.get("/events").handler(ctx -> events(ctx, DEFAULT_QUEUE));
    router.post("/update").handler(ctx -> update(ctx, DEFAULT_QUEUE));
    router.get("/queues/:queue/poll").handler(ctx -> poll(ctx, ctx.pathParam("queue")));
    router.get("/queues/:queue/events").handler(ctx -> events(ctx, ctx.pathParam("queue")));
    router.post("/queues/:queue/update").handler(ctx -> update(ctx, ctx.pathParam("queue")));
    router.get("/queues/:queue/info").handler(ctx -> info(ctx, ctx.pathParam("queue")));
    router.errorHandler(500, ctx -> {
      LOG.log(Level.SEVERE, "HTTP " + ctx.request().method() + " " + ctx.request().path() + " failed", ctx.failure());
      if (!ctx.response().headWritten()) {
        refuse(ctx.response(), Refusal.UNEXPECTED, null);
      } else {
        ctx.response().reset();
      }
    });
    return router;
  }

  private void poll(RoutingContext ctx, String queue) {
    String formatName = ctx.request().getParam(Protocol.FORMAT);
    if (formatName != null && !formatName.equals("seq")) {
      refuse(ctx.response(), Refusal.BAD_PARAMETER, "format: unknown format \"" + formatName + "\" (expected \"seq\")");
      return;
    }
    Format format = formatName == null ? Format.PLAIN : Format.SEQ;
    String sinceText = ctx.request().getParam(Protocol.SINCE);
    if (sinceText != null && format == Format.PLAIN) {
      refuse(ctx.response(), Refusal.BAD_PARAMETER, "since: resuming needs format=seq");
      return;
    }
    stream(ctx, queue, format, sinceText, NDJSON);
  }

  /** Server-sent events: resumes from {@code Last-Event-ID}, else from a {@code since} parameter. */
  private void events(RoutingContext ctx, String queue) {
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    String sinceText = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim()
        : ctx.request().getParam(Protocol.SINCE);
    stream(ctx, queue, Format.SSE, sinceText, EVENT_STREAM);
  }

  private void stream(RoutingContext ctx, String queue, Format format, String sinceText, String contentType) {
    QueueEdge.Since since = null;
    if (sinceText != null) {
      since = QueueEdge.Since.parse(sinceText);
      if (since == null) {
        refuse(ctx.response(), Refusal.BAD_PARAMETER, "since: expected EPOCH:SEQ");
        return;
      }
    }
    QueueEdge edge = subscribable(ctx, queue);
    if (edge == null) {
      return;
    }
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    edge.subscribe(response, String.valueOf(ctx.request().remoteAddress()), format, since);
  }

  private void info(RoutingContext ctx, String queue) {
    QueueEdge edge = subscribable(ctx, queue);
    if (edge == null) {
      return;
    }
    JsonObject info = new JsonObject()
        .put("queue", queue)
        .put("pk", edge.config().pk())
        .put(Protocol.EPOCH, edge.epoch())
        .put(Protocol.SEQ, edge.seq())
        .put("records", edge.records())
        .put("subscribers", edge.nodeSubscribers())
        .put("node", node.nodeId())
        .put("owner", edge.owner());
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(info.encode());
  }

  /** The queue's edge when the request may subscribe to it now; otherwise refuses and returns null. */
  private QueueEdge subscribable(RoutingContext ctx, String queue) {
    HttpServerResponse response = ctx.response();
    QueueEdge edge = edges.get(queue);
    if (edge == null) {
      refuse(response, Refusal.UNKNOWN_QUEUE, queue);
      return null;
    }
    if (!authorised(response, edge.config().secrets().subscribe(), Protocol.POLL_MESSAGE,
        ctx.request().getParam(Protocol.HMAC))) {
      return null;
    }
    if (!edge.ready()) {
      refuse(response, Refusal.NOT_READY, "queue " + queue + " is loading its backlog; retry later");
      return null;
    }
    return edge;
  }

  private void update(RoutingContext ctx, String queue) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    QueueEdge edge = edges.get(queue);
    if (edge == null) {
      refuse(response, Refusal.UNKNOWN_QUEUE, queue);
      return;
    }
    FormBody.read(request, config.http().maxBodyBytes())
        .map(FormBody::parse)
        .onSuccess(form -> publish(response, edge, form))
        .onFailure(error -> refuseBody(request, response, error));
  }

  private void publish(HttpServerResponse response, QueueEdge edge, Map<String, String> form) {
    String data = form.get(Protocol.DATA);
    String token = form.get(Protocol.HMAC);
    if (!authorised(response, edge.config().secrets().publish(), data == null ? "" : data, token)) {
      return;
    }
    if (data == null) {
      refuse(response, Refusal.MISSING_DATA, null);
      return;
    }
    String queue = edge.config().name();
    vertx.eventBus().request(Addresses.apply(queue), data, APPLY_OPTIONS)
        .onSuccess(reply -> response.end())
        .onFailure(error -> {
          Failure failure = Failure.of(error);
          switch (failure) {
            case INVALID_BATCH -> refuse(response, Refusal.INVALID_BATCH, error.getMessage());
            case NOT_READY -> refuse(response, Refusal.NOT_READY, error instanceof ReplyException reply
                && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
                ? "queue " + queue + " has no owner right now (starting, or changing owner); retry later"
                : error.getMessage());
            default -> {
              LOG.log(Level.WARNING, "queue " + queue + ": apply failed", error);
              refuse(response, Refusal.UNEXPECTED, null);
            }
          }
        });
  }

  private boolean authorised(HttpServerResponse response, String secret, String message, String token) {
    if (!config.timeTokens().enabled()) {
      return true;
    }
    if (token == null) {
      refuse(response, Refusal.MISSING_TOKEN, null);
      return false;
    }
    if (!tokens.valid(secret, message, token)) {
      refuse(response, Refusal.INVALID_TOKEN, null);
      return false;
    }
    return true;
  }

  private void refuseBody(HttpServerRequest request, HttpServerResponse response, Throwable error) {
    if (error instanceof FormBody.TooLarge) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
      response.endHandler(v -> request.connection().close());
      refuse(response, Refusal.TOO_LARGE, error.getMessage());
    } else if (error instanceof FormBody.Malformed) {
      refuse(response, Refusal.MALFORMED_FORM, error.getMessage());
    } else {
      LOG.log(Level.FINE, "reading an update body failed", error);
      if (!response.closed()) {
        response.reset();
      }
    }
  }

  private void health(RoutingContext ctx) {
    JsonObject queues = new JsonObject();
    boolean allReady = true;
    for (QueueEdge edge : edges.values()) {
      queues.put(edge.config().name(), new JsonObject().put("ready", edge.ready()));
      allReady &= edge.ready();
    }
    ctx.response()
        .setStatusCode(allReady ? 200 : 503)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("status", allReady ? "UP" : "DOWN").put("queues", queues).encode());
  }

  private static void refuse(HttpServerResponse response, Refusal refusal, String detail) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (refusal == Refusal.NOT_READY) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.setStatusCode(refusal.status)
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
        .end(detail == null ? refusal.text : refusal.text + ": " + detail);
  }
}
