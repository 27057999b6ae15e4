package org.syncbus.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.Node;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.JwtTokens;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * The console's admin endpoints (README, "Console"): who may use them (a session cookie from a
 * login with an admin credential, or the credential itself as a bearer; 401 without, 403 for a JWT
 * without the {@code admin} right), the cookie's attributes and lifetime, and the shapes of what
 * they answer: the overview, a page of records with its filters, the event stream.
 */
class ConsoleApiTest extends IntegrationTest {
  private static final String Q = "rooms";
  private static final String ADMIN_TOKEN = "console-admin-token-0123456789";
  private static final String JWT_SECRET = "console-test-jwt-secret-0123456789";
  private static final String COOKIE = "syncbus_console";

  @TempDir
  Path dir;

  private static JsonObject config() {
    return Configs.node(new JsonObject().put(Configs.DEFAULT, Configs.keyed("id")).put(Q, Configs.keyed("id")))
        .put("admin", new JsonObject().put("token", ADMIN_TOKEN))
        .put("auth", JwtTokens.auth(JWT_SECRET));
  }

  private String jwt(String queue, String... rights) {
    return JwtTokens.sign(vertx, JWT_SECRET, queue, rights);
  }

  private static HttpReply login(TestNode node, String credential) {
    return post(node, "/console/api/login", new JsonObject().put("credential", credential).encode(), null);
  }

  private static HttpReply post(TestNode node, String uri, String json, String cookie) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    if (cookie != null) {
      headers.add("Cookie", cookie);
    }
    return await(node.send(HttpMethod.POST, uri, headers, Buffer.buffer(json)));
  }

  /** The session cookie a successful login sets, as a request sends it back ({@code syncbus_console=…}). */
  private static String session(TestNode node) {
    HttpReply reply = login(node, ADMIN_TOKEN);
    assertEquals(200, reply.status(), reply::toString);
    return setCookie(reply).split(";")[0];
  }

  private static String setCookie(HttpReply reply) {
    return reply.headers().getAll("Set-Cookie").stream().filter(cookie -> cookie.startsWith(COOKIE + "="))
        .findFirst().orElseThrow(() -> new AssertionError("no " + COOKIE + " cookie: " + reply.headers()));
  }

  private static HttpReply get(TestNode node, String uri, String header, String value) {
    return await(send(node, uri, header, value));
  }

  private static Future<HttpReply> send(TestNode node, String uri, String header, String value) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (value != null) {
      headers.add(header, value);
    }
    return node.send(HttpMethod.GET, uri, headers, null);
  }

  private static JsonObject getJson(TestNode node, String uri, String cookie) {
    return await(json(node, uri, cookie));
  }

  /** {@code GET uri} with the session {@code cookie}, as JSON; fails unless 200 with JSON. */
  private static Future<JsonObject> json(TestNode node, String uri, String cookie) {
    return send(node, uri, "Cookie", cookie).compose(reply -> reply.status() == 200
        && reply.contentType().startsWith("application/json")
        ? Future.succeededFuture(new JsonObject(reply.body()))
        : Future.failedFuture(new AssertionError(uri + ": " + reply)));
  }

  private static JsonObject queue(JsonObject overview, String name) {
    return overview.getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(queue -> queue.getString("name").equals(name)).findFirst().orElseThrow();
  }

  private static String batch(IntStream ids) {
    return new JsonArray(ids.mapToObj(id -> new JsonObject().put("type", "update")
        .put("data", new JsonObject().put("id", id).put("name", "guest " + id))).toList()).encode();
  }

  @Test
  void thePageIsServedToAnyoneAndNeedsNothingFromElsewhere() {
    TestNode node = start(config());
    HttpReply page = await(node.get("/console/"));
    assertEquals(200, page.status(), page::toString);
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("console.js") && !page.body().contains("http://") && !page.body().contains("https://"),
        "the page loads nothing from another origin");
    assertTrue(page.headers().get("Content-Security-Policy").startsWith("default-src 'self'"));
    assertEquals(200, await(node.get("/console/console.js")).status());
    assertEquals(200, await(node.get("/console/console.css")).status());
    assertEquals(404, await(node.get("/console/nothing-here.js")).status());
    HttpReply bare = await(node.get("/console"));
    assertEquals(301, bare.status());
    assertEquals("/console/", bare.headers().get("Location"));
  }

  @Test
  void withoutASessionOrCredentialEveryAdminEndpointAnswers401() {
    TestNode node = start(config());
    for (String uri : List.of("/console/api/overview", "/console/api/queues/" + Q + "/records", "/console/api/events")) {
      HttpReply reply = get(node, uri, null, null);
      assertEquals(401, reply.status(), uri + ": " + reply);
      assertTrue(reply.body().startsWith("Unauthorized: log in to the console first"), reply::toString);
    }
    assertEquals(new JsonObject().put("session", false), getJson(node, "/console/api/session", null));
  }

  @Test
  void aWrongCredentialIsRefused401AndSetsNoCookie() {
    TestNode node = start(config());
    HttpReply reply = login(node, "not-the-admin-token-0123456789");
    assertEquals(401, reply.status(), reply::toString);
    assertTrue(reply.headers().getAll("Set-Cookie").isEmpty(), reply.headers()::toString);
    assertEquals(401, get(node, "/console/api/overview", "Authorization", "Bearer not-the-admin-token-0123").status());
  }

  @Test
  void aJwtWithoutTheAdminRightIsRefused403() {
    TestNode node = start(config());
    String publisher = jwt("*", "publish", "subscribe");
    assertEquals(403, login(node, publisher).status());
    assertEquals(403, login(node, jwt(Q, "admin")).status(), "admin is granted on * only");
    assertEquals(403, get(node, "/console/api/overview", "Authorization", "Bearer " + publisher).status());
  }

  @Test
  void theAdminTokenOrAnAdminJwtLogsInWithAnHttpOnlyStrictCookieForThirtyMinutes() {
    TestNode node = start(config());
    for (String credential : List.of(ADMIN_TOKEN, jwt("*", "admin"))) {
      HttpReply reply = login(node, credential);
      assertEquals(200, reply.status(), reply::toString);
      String cookie = setCookie(reply);
      assertTrue(cookie.contains("HTTPOnly") || cookie.contains("HttpOnly"), cookie);
      assertTrue(cookie.contains("SameSite=Strict"), cookie);
      assertTrue(cookie.contains("Path=/console/"), cookie);
      assertTrue(cookie.contains("Max-Age=1800"), cookie);
      assertFalse(cookie.contains(credential), "the cookie holds a session, not the credential");
      String session = cookie.split(";")[0];
      assertEquals(200, get(node, "/console/api/overview", "Cookie", session).status());
      JsonObject state = getJson(node, "/console/api/session", session);
      assertTrue(state.getBoolean("session"));
      assertTrue(state.getLong("expires") > System.currentTimeMillis());
    }
  }

  @Test
  void scriptsMaySendTheAdminCredentialInsteadOfASession() {
    TestNode node = start(config());
    assertEquals(200, get(node, "/console/api/overview", "Authorization", "Bearer " + ADMIN_TOKEN).status());
    assertEquals(200, get(node, "/console/api/queues/" + Q + "/records", "Authorization",
        "Bearer " + jwt("*", "admin")).status());
  }

  @Test
  void aSessionEndsAfterThirtyMinutes() {
    FakeClock clock = FakeClock.atSystemTime();
    TestNode node = start(config(), clock);
    String session = session(node);
    clock.advance(Duration.ofMinutes(29));
    assertEquals(200, get(node, "/console/api/overview", "Cookie", session).status());
    clock.advance(Duration.ofMinutes(1));
    HttpReply expired = get(node, "/console/api/overview", "Cookie", session);
    assertEquals(401, expired.status());
    assertTrue(expired.body().contains("the console session has ended"), expired::toString);
  }

  @Test
  void aForgedSessionIsRefused401() {
    TestNode node = start(config());
    String session = session(node);
    String forged = session.substring(0, session.lastIndexOf('.') + 1) + "AAAA" + session.substring(session.lastIndexOf('.') + 5);
    assertEquals(401, get(node, "/console/api/overview", "Cookie", forged).status());
    String[] parts = session.substring(COOKIE.length() + 1).split("\\.");
    String longer = COOKIE + "=" + (Long.parseLong(parts[0]) + 3600) + "." + parts[1] + "." + parts[2];
    assertEquals(401, get(node, "/console/api/overview", "Cookie", longer).status(), "the expiry is signed");
  }

  @Test
  void logoutClearsTheCookieAndEndsTheSessionEvenForACopy() {
    TestNode node = start(config());
    String session = session(node);
    HttpReply out = post(node, "/console/api/logout", "{}", session);
    assertEquals(204, out.status(), out::toString);
    assertTrue(setCookie(out).contains("Max-Age=0"), setCookie(out));
    assertEquals(401, get(node, "/console/api/overview", "Cookie", session).status());
  }

  @Test
  void loginAndLogoutTakeJsonOnlySoNoOtherSitesFormCanPostThem() {
    TestNode node = start(config());
    HttpReply form = await(node.postForm("/console/api/login", "credential=" + ADMIN_TOKEN));
    assertEquals(403, form.status(), form::toString);
    assertTrue(form.body().contains("Content-Type: application/json"), form::toString);
    assertEquals(403, await(node.postForm("/console/api/logout", "")).status());
    HttpReply malformed = post(node, "/console/api/login", "[\"" + ADMIN_TOKEN + "\"]", null);
    assertEquals(400, malformed.status(), malformed::toString);
    assertTrue(malformed.body().contains("{\"credential\""), malformed::toString);
  }

  @Test
  void theOverviewShowsTheNodeItsQueuesSubscribersHistoryAndRefusals() {
    TestNode node = start(config());
    String session = session(node);
    PollStream poll = await(node.pollOk(Q));
    PollStream events = await(node.openPoll("/queues/" + Q + "/events" + Tokens.pollQuery(node.pollToken(Q))));
    await(poll.line(0));
    await(events.line(0));
    await(node.publishOk(Q, batch(IntStream.rangeClosed(1, 3))));
    await(node.publishOk(Q, batch(IntStream.of(4))));
    assertEquals(403, await(node.postUpdate(TestNode.updatePath(Q), "[]", "1:" + "f".repeat(64))).status());

    // The per-second history takes the batches at the next tick.
    JsonObject overview = await(Await.eventually(vertx, "the batches in the per-second history", 100, 50,
        () -> json(node, "/console/api/overview", session),
        seen -> sum(queue(seen, Q).getJsonObject("perSecond").getJsonArray("batches")) == 2));
    JsonObject node0 = overview.getJsonObject("node");
    assertEquals(node.nodeId(), node0.getString("id"));
    assertFalse(node0.getBoolean("clustered"));
    assertTrue(node0.getBoolean("quorum"));
    JsonObject self = overview.getJsonArray("members").getJsonObject(0);
    assertEquals(node.nodeId(), self.getString("id"));
    assertTrue(self.getBoolean("self") && self.getBoolean("answered"));
    assertEquals(new JsonArray().add(Configs.DEFAULT).add(Q), self.getJsonArray("owns"));
    assertEquals(2, self.getInteger("subscribers"));

    JsonObject rooms = queue(overview, Q);
    assertEquals("id", rooms.getString("pk"));
    assertEquals("keyed", rooms.getString("type"));
    assertTrue(rooms.getBoolean("ready"));
    assertEquals(2, rooms.getLong("seq"));
    assertEquals(4, rooms.getInteger("records"));
    assertTrue(rooms.getLong("bytes") > 4 * 30, rooms::encode);
    assertEquals(new JsonObject().put("batches", 2).put("bytes", rooms.getJsonObject("retained").getLong("bytes")),
        rooms.getJsonObject("retained"));
    JsonObject kinds = new JsonObject().put("poll", 1).put("events", 1).put("bridge", 0);
    assertEquals(kinds, rooms.getJsonObject("subscribers").getJsonObject("node"));
    assertEquals(kinds, rooms.getJsonObject("subscribers").getJsonObject("total"));
    assertEquals(0, rooms.getLong("slowSubscribersCut"));
    JsonArray lines = rooms.getJsonObject("perSecond").getJsonArray("lines");
    assertEquals(QueueRates.SECONDS, lines.size());
    assertEquals(4, sum(lines), "2 batches to 2 subscribers");

    JsonObject refusal = overview.getJsonArray("refusals").getJsonObject(0);
    assertEquals("403", refusal.getString("status"));
    assertEquals("INVALID_TOKEN", refusal.getString("cause"));
    assertEquals(TestNode.HOST, refusal.getString("client"));
    assertEquals(Set.of("time", "status", "cause", "client"), refusal.fieldNames(), "never the refusal's detail");
    assertEquals(new JsonArray(), overview.getJsonArray("reloads"));
  }

  private static long sum(JsonArray numbers) {
    return numbers.stream().mapToLong(n -> ((Number) n).longValue()).sum();
  }

  @Test
  void recordsComeFilteredOnTheServerAndPagedByAHundredWithTheLastBatches() {
    TestNode node = start(config());
    String session = session(node);
    await(node.publishOk(Q, batch(IntStream.rangeClosed(1, 150))));
    await(node.publishOk(Q, batch(IntStream.rangeClosed(151, 250))));
    String records = "/console/api/queues/" + Q + "/records";

    JsonObject first = getJson(node, records, session);
    assertEquals(Q, first.getString("queue"));
    assertEquals(2, first.getLong("seq"));
    assertEquals(250, first.getInteger("total"));
    assertEquals(250, first.getInteger("matched"));
    assertEquals(3, first.getInteger("pages"));
    assertEquals(100, first.getInteger("pageSize"));
    assertEquals(100, first.getJsonArray("rows").size());
    assertEquals(new JsonObject().put("id", 1).put("name", "guest 1"), first.getJsonArray("rows").getJsonObject(0));
    JsonArray last = getJson(node, records + "?page=2", session).getJsonArray("rows");
    assertEquals(50, last.size());
    assertEquals(250, last.getJsonObject(49).getInteger("id"));
    assertEquals(0, getJson(node, records + "?page=3", session).getJsonArray("rows").size());

    JsonObject byKey = getJson(node, records + "?key=24", session);
    assertEquals(List.of(24, 124, 224, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249),
        byKey.getJsonArray("rows").stream().map(row -> ((JsonObject) row).getInteger("id")).toList());
    assertEquals(250, byKey.getInteger("total"));
    JsonObject byText = getJson(node, records + "?text=GUEST%2017", session);
    assertEquals(List.of(17, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179),
        byText.getJsonArray("rows").stream().map(row -> ((JsonObject) row).getInteger("id")).toList());

    JsonArray batches = first.getJsonArray("batches");
    assertEquals(2, batches.size());
    JsonObject newest = batches.getJsonObject(0);
    assertEquals(2, newest.getLong("seq"));
    assertEquals(100, newest.getInteger("updates"));
    assertEquals(0, newest.getInteger("deletes"));
    assertEquals(20, newest.getJsonArray("keys").size(), "at most 20 keys named per batch");
    assertEquals("151", newest.getJsonArray("keys").getString(0));
    assertTrue(newest.getLong("time") > 0);

    assertEquals(404, get(node, "/console/api/queues/nothing/records", "Cookie", session).status());
    assertEquals(400, get(node, records + "?page=-1", "Cookie", session).status());
  }

  @Test
  void theEventStreamSendsTheOverviewEverySecondAndEndsWithTheSession() {
    FakeClock clock = FakeClock.atSystemTime();
    TestNode node = start(config(), clock);
    String session = session(node);
    PollStream stream = await(node.openPoll("/console/api/events", Map.of("Cookie", session)));
    assertEquals(200, stream.status());
    assertTrue(stream.headers().get("Content-Type").startsWith("text/event-stream"));
    assertEquals("event: overview", await(stream.line(0)));
    JsonObject overview = new JsonObject(await(stream.line(1)).substring("data: ".length()));
    assertEquals(node.nodeId(), overview.getJsonObject("node").getString("id"));
    int next = await(stream.indexOf(2, "event: overview"::equals));
    assertTrue(next > 2);

    clock.advance(Duration.ofMinutes(SyncbusConfig.Console.DEFAULT_SESSION_MINUTES));
    int expired = await(stream.indexOf(next, "event: expired"::equals));
    assertTrue(expired > next);
    await(stream.ended());
  }

  @Test
  void withTheConsoleOffEveryPathAnswers404() {
    TestNode node = start(config().put("console", new JsonObject().put("enabled", false)));
    for (String uri : List.of("/console/", "/console/api/session", "/console/api/overview")) {
      HttpReply reply = await(node.get(uri));
      assertEquals(404, reply.status(), uri + ": " + reply);
      assertTrue(reply.body().startsWith("Not found: the console is off (console.enabled)"), reply::toString);
    }
    assertEquals(404, login(node, ADMIN_TOKEN).status());
  }

  @Test
  void reloadsAreListedWithWhatChangedOrWhyTheFileWasRefused() throws Exception {
    Path file = dir.resolve("syncbus.json");
    JsonObject config = config();
    TestNode node = startFromFile(config, file);
    String session = session(node);

    config.getJsonObject("queues").getJsonObject(Q).put("limits", new JsonObject().put("records", 500));
    Files.writeString(file, config.encodePrettily());
    Node.of(vertx).reload();
    JsonArray reloads = await(Await.eventually(vertx, "the reload listed", 100, 50,
        () -> json(node, "/console/api/overview", session).map(overview -> overview.getJsonArray("reloads")),
        list -> !list.isEmpty()));
    JsonObject applied = reloads.getJsonObject(0);
    assertEquals(new JsonArray().add("queues." + Q + ".limits.records"), applied.getJsonArray("changed"));
    assertNull(applied.getString("error"));

    Files.writeString(file, "{\"queues\": {\"" + Q + "\": {\"pk\": 1}}}");
    Node.of(vertx).reload();
    JsonObject refused = await(Await.eventually(vertx, "the refused file listed", 100, 50,
        () -> json(node, "/console/api/overview", session).map(overview -> overview.getJsonArray("reloads")),
        list -> list.size() == 2)).getJsonObject(0);
    assertNotNull(refused.getString("error"));
    assertTrue(refused.getString("error").contains("queues." + Q + ".pk"), refused::encode);
  }
}
