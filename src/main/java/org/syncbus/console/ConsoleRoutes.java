package org.syncbus.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.auth.Credentials;
import org.syncbus.contract.Refusal;
import org.syncbus.http.EdgeView;
import org.syncbus.http.Mount;
import org.syncbus.http.QueueView;

/**
 * The console on one HTTP edge, under {@code /console/} (README, "Console"): the page, its login,
 * and the admin endpoints it reads.
 *
 * <p><b>Rights.</b> The page's files and {@code GET api/session} are open (they hold no data);
 * {@code POST api/login} exchanges an admin credential for a session cookie; every other endpoint
 * needs that cookie, or an admin credential in {@code Authorization: Bearer} (scripts): 401 without
 * either or with a wrong one, 403 for a JWT without the {@code admin} right, answered through the
 * edge's refusals like every other refusal (logged, counted, listed among the recent ones).
 *
 * <p><b>The cookie</b> ({@value Sessions#COOKIE}) is {@code HttpOnly} (the page's script cannot
 * read it), {@code SameSite=Strict} (no other site's page sends it), scoped to {@code /console/},
 * {@code Secure} over TLS, and lasts {@code console.sessionMinutes}. The credential travels in the
 * login's body only, never in a URL. The two requests that change something (login, logout) must
 * be {@code Content-Type: application/json}, which no cross-site form can send; a page of another
 * origin is refused before this router by the edge ({@code http.cors.allowedOrigins}).
 *
 * <p><b>Live.</b> {@code GET api/events} is a server-sent event stream of the overview, one a
 * second ({@link Overview}). A tick is skipped while the previous overview is being built or the
 * client has not taken the last one (its write queue is full), so a slow page costs one overview
 * of memory at most; the stream ends when the session does ({@code event: expired}).
 *
 * <p>Handlers run on the edge's event loop; a records page with a filter is made off it
 * ({@link RecordsPage}).
 */
final class ConsoleRoutes implements Mount {
  static final String PATH = "/console";
  private static final Logger LOG = Logger.getLogger(ConsoleRoutes.class.getName());
  private static final String JSON = "application/json; charset=utf-8";
  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  /** A login body is a credential in a small JSON object. */
  private static final long MAX_BODY_BYTES = 16 * 1024;
  private static final long EVENT_MILLIS = 1_000;
  /**
   * Everything the page loads comes from this node; inline scripts, styles and other origins are
   * refused by the browser, and no other page may frame it.
   */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
      + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Console console;

  ConsoleRoutes(Console console) {
    this.console = console;
  }

  @Override
  public String path() {
    return PATH;
  }

  @Override
  public Router router(Vertx vertx, EdgeView edge) {
    Overview overview = new Overview(vertx, console);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> open(ctx, edge));
    router.post("/api/*").handler(ctx -> jsonOnly(ctx, edge));
    router.post("/api/login").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(ctx -> login(ctx, edge));
    router.post("/api/logout").handler(this::logout);
    router.get("/api/session").handler(this::session);
    router.get("/api/overview").handler(ctx -> answer(ctx, edge, admin(ctx, edge)
        .compose(expiry -> overview.build(edge))));
    router.get("/api/queues/:queue/records").handler(ctx -> answer(ctx, edge, admin(ctx, edge)
        .compose(expiry -> records(vertx, ctx, edge))));
    router.get("/api/events").handler(ctx -> admin(ctx, edge)
        .onSuccess(expiry -> new OverviewStream(vertx, ctx.response(), overview, edge, expiry).start())
        .onFailure(error -> edge.refuse(ctx.request(), error)));
    router.get("/").handler(ctx -> file(vertx, ctx, ConsoleFiles.INDEX));
    router.get("/:file").handler(ctx -> file(vertx, ctx, ctx.pathParam("file")));
    return router;
  }

  /** 404 while {@code console.enabled} is false; {@code /console} goes to {@code /console/}; the page's headers. */
  private void open(RoutingContext ctx, EdgeView edge) {
    if (!console.running().get().consoleEnabled()) {
      edge.refuse(ctx.request(), Refusal.NOT_FOUND.with("the console is off (console.enabled)"));
      return;
    }
    if (ctx.request().path().equals(PATH)) {
      ctx.response().setStatusCode(301).putHeader(HttpHeaders.LOCATION, PATH + "/").end();
      return;
    }
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    ctx.next();
  }

  private void jsonOnly(RoutingContext ctx, EdgeView edge) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      edge.refuse(ctx.request(), Refusal.FORBIDDEN.with("a console request that changes something needs "
          + "Content-Type: application/json"));
      return;
    }
    ctx.next();
  }

  /** {@code {"credential": "…"}}: an admin credential gets a session cookie; 401/403 otherwise. */
  private void login(RoutingContext ctx, EdgeView edge) {
    String credential = credential(ctx.body().buffer());
    if (credential == null) {
      edge.refuse(ctx.request(), Refusal.BAD_PARAMETER.with("body: expected {\"credential\": \"an admin credential\"}"));
      return;
    }
    edge.access().authorizeAdmin(credential)
        .onSuccess(v -> {
          Duration lifetime = console.running().get().console().sessionLifetime();
          String token = console.sessions().issue(lifetime);
          Instant expiry = console.sessions().expiry(token);
          ctx.response().addCookie(cookie(ctx.request(), token, lifetime.toSeconds()));
          json(ctx, new JsonObject().put("expires", expiry.toEpochMilli()));
        })
        .onFailure(error -> edge.refuse(ctx.request(), error));
  }

  /** The credential of a login's body, {@code {"credential": "…"}}; null when it is not that. */
  private static String credential(Buffer body) {
    try {
      Object json = body == null ? null : Json.decodeValue(body);
      return json instanceof JsonObject object && object.getValue("credential") instanceof String text ? text : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /** Ends the session of the cookie sent, if any, and clears the cookie. */
  private void logout(RoutingContext ctx) {
    Cookie sent = ctx.request().getCookie(Sessions.COOKIE);
    if (sent != null) {
      console.sessions().revoke(sent.getValue());
    }
    ctx.response().addCookie(cookie(ctx.request(), "", 0)).setStatusCode(204).end();
  }

  /** Whether the cookie sent is a live session: {@code {"session": true, "expires": MILLIS}} or {@code {"session": false}}. */
  private void session(RoutingContext ctx) {
    Instant expiry = sessionExpiry(ctx.request());
    JsonObject body = new JsonObject().put("session", expiry != null);
    json(ctx, expiry == null ? body : body.put("expires", expiry.toEpochMilli()));
  }

  private static Cookie cookie(HttpServerRequest request, String value, long maxAgeSeconds) {
    return Cookie.cookie(Sessions.COOKIE, value)
        .setPath(PATH + "/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT)
        .setSecure(request.isSSL())
        .setMaxAge(maxAgeSeconds);
  }

  /**
   * Succeeds, with the session's expiry (null for a bearer credential), when the request is an
   * admin's; else fails with the refusal (401, 403).
   */
  private Future<Instant> admin(RoutingContext ctx, EdgeView edge) {
    HttpServerRequest request = ctx.request();
    Instant expiry = sessionExpiry(request);
    Future<Instant> allowed;
    if (expiry != null) {
      allowed = Future.succeededFuture(expiry);
    } else {
      String bearer = Credentials.bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
      allowed = bearer != null ? edge.access().authorizeAdmin(bearer).map(v -> null)
          : Future.failedFuture(Refusal.UNAUTHENTICATED.with(request.getCookie(Sessions.COOKIE) == null
              ? "log in to the console first (POST /console/api/login), or send an admin credential"
              : "the console session has ended or is not this node's; log in again"));
    }
    return allowed;
  }

  private Instant sessionExpiry(HttpServerRequest request) {
    Cookie cookie = request.getCookie(Sessions.COOKIE);
    return cookie == null ? null : console.sessions().expiry(cookie.getValue());
  }

  /** Answers with {@code body}, or refuses with its failure. */
  private static void answer(RoutingContext ctx, EdgeView edge, Future<JsonObject> body) {
    body.onSuccess(json -> json(ctx, json)).onFailure(error -> edge.refuse(ctx.request(), error));
  }

  /**
   * A page of a queue's records, with its state and last batches: {@link RecordsPage}'s fields and
   * {@code queue}, {@code pk}, {@code ready}, {@code epoch}, {@code seq}, {@code batches}.
   */
  private Future<JsonObject> records(Vertx vertx, RoutingContext ctx, EdgeView edge) {
    String name = ctx.pathParam("queue");
    QueueView queue = edge.queue(name);
    if (queue == null) {
      return Future.failedFuture(Refusal.UNKNOWN_QUEUE.with(name));
    }
    Integer page = page(ctx.queryParams().get("page"));
    if (page == null) {
      return Future.failedFuture(Refusal.BAD_PARAMETER.with("page: expected a number from 0"));
    }
    RecordsPage.Query query = new RecordsPage.Query(ctx.queryParams().get("key"), ctx.queryParams().get("text"), page);
    QueueView.Records records = queue.backlog();
    JsonObject state = new JsonObject().put("queue", name).put("pk", queue.config().pk()).put("ready", queue.ready())
        .put("epoch", queue.epoch()).put("seq", queue.seq()).put("batches", batches(queue.recentBatches()));
    return vertx.executeBlocking(() -> RecordsPage.of(records, query), false).map(state::mergeIn);
  }

  private static JsonArray batches(List<QueueView.RecentBatch> batches) {
    JsonArray list = new JsonArray();
    for (QueueView.RecentBatch batch : batches) {
      list.add(new JsonObject().put("seq", batch.seq()).put("time", batch.time().toEpochMilli())
          .put("updates", batch.updates()).put("deletes", batch.deletes()).put("keys", new JsonArray(batch.keys())));
    }
    return list;
  }

  /** {@code page} as a page number from 0; 0 when absent; null when not one. */
  private static Integer page(String page) {
    if (page == null || page.isEmpty()) {
      return 0;
    }
    try {
      int number = Integer.parseInt(page);
      return number < 0 ? null : number;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void file(Vertx vertx, RoutingContext ctx, String name) {
    console.files().load(vertx)
        .onSuccess(files -> {
          ConsoleFiles.File file = files.get(name);
          if (file == null) {
            ctx.next();
            return;
          }
          ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, file.contentType())
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
              .end(file.content());
        })
        .onFailure(ctx::fail); // the edge's handler of 500s logs it
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  /** One page's stream of the overview, every second, until the page goes or its session ends. */
  private final class OverviewStream {
    private final Vertx vertx;
    private final HttpServerResponse response;
    private final Overview overview;
    private final EdgeView edge;
    /** When the session ends; null for a bearer credential (the stream lasts as long as the client wants). */
    private final Instant expiry;
    private long timer = -1;
    private boolean building;
    private boolean closed;

    OverviewStream(Vertx vertx, HttpServerResponse response, Overview overview, EdgeView edge, Instant expiry) {
      this.vertx = vertx;
      this.response = response;
      this.overview = overview;
      this.edge = edge;
      this.expiry = expiry;
    }

    void start() {
      response.setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
          .closeHandler(v -> stop());
      tick();
      timer = vertx.setPeriodic(EVENT_MILLIS, id -> tick());
    }

    private void tick() {
      if (closed) {
        return;
      }
      if (!console.running().get().consoleEnabled()) {
        end("disabled");
        return;
      }
      if (expiry != null && !console.clock().instant().isBefore(expiry)) {
        end("expired");
        return;
      }
      if (building || response.writeQueueFull()) {
        return;
      }
      building = true;
      overview.build(edge).onComplete(built -> {
        building = false;
        if (closed) {
          return;
        }
        if (built.succeeded()) {
          write("overview", built.result().encode());
        } else {
          LOG.log(Level.WARNING, "console: building the overview failed", built.cause());
        }
      });
    }

    private void write(String event, String data) {
      response.write("event: " + event + "\ndata: " + data + "\n\n").onFailure(error -> stop());
    }

    /** Tells the page why the stream ends, and ends it. */
    private void end(String why) {
      write(why, "{}");
      stop();
      response.end().onFailure(error -> response.reset());
    }

    private void stop() {
      closed = true;
      vertx.cancelTimer(timer);
    }
  }
}
