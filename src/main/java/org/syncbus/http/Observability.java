package org.syncbus.http;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.syncbus.auth.Access;
import org.syncbus.auth.Credentials;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Refusal;
import org.syncbus.metrics.NodeMetrics;

/**
 * What an operator's tools read from a node (README, "Metrics and health"):
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter of {@link NodeMetrics} in the Prometheus text format;
 *       404 with {@code metrics.enabled} false; an admin credential needed with
 *       {@code metrics.requireAdmin} (401 without or with a wrong one, 403 for a JWT without the
 *       {@code admin} right).
 *   <li>{@code GET /health/live}: whether every event loop of the node runs a task within
 *       {@value #LIVE_TIMEOUT_MILLIS} ms (a blocked loop serves nobody).
 *   <li>{@code GET /health/ready}: whether every queue is loaded and its owner known and present,
 *       and, in a cluster, whether this node's side holds a majority.
 * </ul>
 *
 * Both health answers have the shape of Vert.x's health checks,
 * {@code {"status","outcome","checks":[{"id","status","data"}]}}, 200 when {@code UP}, else 503.
 * They need no credential: load balancers and supervisors ask them.
 */
final class Observability {
  static final long LIVE_TIMEOUT_MILLIS = 2_000;
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";

  private final Vertx vertx;
  private final Supplier<SyncbusConfig> config;
  private final Supplier<Access> access;
  private final NodeMetrics metrics;
  private final Supplier<Collection<QueueEdge>> edges;
  private final ClusterView cluster;
  private final HttpRefusals refusals;

  Observability(Vertx vertx, Supplier<SyncbusConfig> config, Supplier<Access> access, NodeMetrics metrics,
                Supplier<Collection<QueueEdge>> edges, ClusterView cluster, HttpRefusals refusals) {
    this.vertx = vertx;
    this.config = config;
    this.access = access;
    this.metrics = metrics;
    this.edges = edges;
    this.cluster = cluster;
    this.refusals = refusals;
  }

  void mount(Router router) {
    router.get("/metrics").handler(this::metrics);
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
  }

  private void metrics(RoutingContext ctx) {
    SyncbusConfig.Metrics settings = config.get().metrics();
    if (!settings.enabled()) {
      refusals.refuse(ctx.request(), Refusal.NOT_FOUND.with("metrics are off (metrics.enabled)"));
      return;
    }
    Future<Void> allowed = config.get().metricsRequireAdmin()
        ? access.get().authorizeAdmin(Credentials.bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)))
        : Future.succeededFuture();
    // A scrape formats every meter: CPU work of a few milliseconds, done off the event loop.
    allowed.compose(v -> vertx.executeBlocking(metrics::scrape, false))
        .onSuccess(text -> {
          if (text == null) {
            refusals.refuse(ctx.request(), Refusal.NOT_FOUND.with("metrics are off (metrics.enabled)"));
          } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS).end(text);
          }
        })
        .onFailure(error -> refusals.refuse(ctx.request(), error));
  }

  private void live(RoutingContext ctx) {
    eventLoopsAnswer().onComplete(answered -> {
      JsonObject check = check("event-loops", answered.succeeded(), new JsonObject()
          .put("eventLoops", answered.succeeded() ? answered.result() : 0)
          .put("timeoutMillis", LIVE_TIMEOUT_MILLIS));
      answer(ctx, List.of(check));
    });
  }

  /**
   * Completes with the number of the node's event loops once each ran a task; fails if one did
   * not within {@value #LIVE_TIMEOUT_MILLIS} ms. The loops are Netty's, reached through Vert.x's
   * internal API, here only.
   */
  private Future<Integer> eventLoopsAnswer() {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
    Context here = vertx.getOrCreateContext();
    Promise<Integer> answered = Promise.promise();
    int[] remaining = {loops.size()};
    long timer = vertx.setTimer(LIVE_TIMEOUT_MILLIS, id -> answered.tryFail("an event loop did not answer"));
    for (EventExecutor loop : loops) {
      loop.execute(() -> here.runOnContext(v -> {
        if (--remaining[0] == 0) {
          vertx.cancelTimer(timer);
          answered.tryComplete(loops.size());
        }
      }));
    }
    if (loops.isEmpty()) {
      vertx.cancelTimer(timer);
      answered.tryComplete(0);
    }
    return answered.future();
  }

  private void ready(RoutingContext ctx) {
    List<JsonObject> checks = new ArrayList<>();
    for (QueueEdge edge : edges.get()) {
      JsonObject data = new JsonObject().put("loaded", edge.ready()).put("owner", edge.owner())
          .put("ownerPresent", edge.ownerPresent()).put("epoch", edge.epoch()).put("seq", edge.seq());
      checks.add(check("queue:" + edge.config().name(), edge.ready() && edge.ownerPresent(), data));
    }
    if (cluster.clustered()) {
      boolean quorum = cluster.quorum();
      checks.add(check("quorum", quorum, new JsonObject().put("members", config.get().cluster().members())
          .put("majority", config.get().cluster().majority())));
    }
    answer(ctx, checks);
  }

  private static JsonObject check(String id, boolean up, JsonObject data) {
    return new JsonObject().put("id", id).put("status", up ? "UP" : "DOWN").put("data", data);
  }

  private static void answer(RoutingContext ctx, List<JsonObject> checks) {
    boolean up = checks.stream().allMatch(check -> check.getString("status").equals("UP"));
    String status = up ? "UP" : "DOWN";
    JsonObject body = new JsonObject().put("status", status).put("outcome", status).put("checks", new JsonArray(checks));
    ctx.response().setStatusCode(up ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }
}
