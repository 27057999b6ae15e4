package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.syncbus.contract.Addresses;
import org.syncbus.queue.Json;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * PROTOCOL.md, "Values", on every path: a value accepted at {@code /update} reaches HTTP poll, SSE,
 * the event bus (updates and snapshot) and both bridges as the same JSON value (numbers compared by
 * value: the bus may spell {@code 1.10} as {@code 1.1}); a value no path carries is refused with
 * 400 naming it, on HTTP and on the bridge, and nothing is published.
 */
class ValuePathsTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String SECRET = "jwt-test-secret-0123456789abcdef";
  /** Numbers equal by value, everything else by JSON equality. */
  private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
      ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

  /** A value as deep as a batch may be: the batch's array, its update and data take three levels. */
  private static final String DEEPEST = "[".repeat(508) + "{\"deep\":0.5}" + "]".repeat(508);

  private TestNode node;
  private String token;
  private int bridgePort;

  private void start() throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      bridgePort = free.getLocalPort();
    }
    JsonObject config = Configs.defaultNode()
        .put("auth", new JsonObject().put("jwt", new JsonObject()
            .put("keys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", SECRET)))))
        .put("bridges", new JsonObject()
            .put("tcp", new JsonObject().put("enabled", true).put("port", bridgePort))
            .put("sockjs", new JsonObject().put("enabled", true)));
    node = start(config);
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    token = jwt.generateToken(new JsonObject().put("syncbus", new JsonObject().put(Q, new JsonArray().add("publish").add("subscribe"))),
        new JWTOptions().setExpiresInSeconds(600));
  }

  private static String batch(String value) {
    return "[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":" + value + "}}]";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      12345678901234567890123456789012345678901234567890
      1.10
      -0
      -0.0
      1e300
      "smile 😀 𝄞 end"
      nesting at the limit
      """)
  void acceptedValueIsTheSameOnEveryPath(String given) throws Exception {
    start();
    String value = given.equals("nesting at the limit") ? DEEPEST : given;
    JsonNode expected = Json.parse(value);
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    PollStream events = await(node.openPoll("/events" + Tokens.pollQuery(node.pollToken(Q))));
    await(events.line(0));
    Promise<JsonObject> onTheBus = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.updates(Q), m -> onTheBus.tryComplete(m.body()));
    await(consumer.completion());
    closeAfter(() -> await(consumer.unregister()));
    BridgeClient tcp = subscribed(await(TcpFrameClient.connect(vertx, bridgePort)));
    BridgeClient sockjs = subscribed(await(SockJsFrameClient.connect(vertx, node.port(), "/eventbus")));

    await(node.publishOk(Q, batch(value)));

    Map<String, String> received = new LinkedHashMap<>();
    received.put("HTTP poll", valueIn(new JsonArray(await(poll.line(1)))));
    received.put("SSE", valueIn(sseBatch(events)));
    received.put("event bus updates", valueIn(await(onTheBus.future()).getJsonArray("batch")));
    received.put("event bus snapshot", valueIn(await(vertx.eventBus().<JsonObject>request(Addresses.snapshot(Q),
        new JsonObject())).body().getJsonArray("snapshot")));
    received.put("TCP bridge", valueIn(await(tcp.next()).getJsonObject("body").getJsonArray("batch")));
    received.put("SockJS bridge", valueIn(await(sockjs.next()).getJsonObject("body").getJsonArray("batch")));
    received.forEach((path, text) -> {
      try {
        assertTrue(expected.equals(SAME_VALUE, Json.parse(text)), path + " carried " + text + " for " + value);
      } catch (IOException e) {
        throw new AssertionError(path + ": not JSON: " + text, e);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      0.1000000000000000000001
      1e400
      "half \\ud800 a pair"
      """)
  void valueNoPathCarriesIsRefusedOnHttpAndOnTheBridge(String value) throws Exception {
    start();
    HttpReply refused = await(node.publish(Q, batch(value)));
    assertEquals(400, refused.status());
    assertTrue(refused.body().startsWith("Invalid batch: batch[0].data.v: "), refused.body());

    BridgeClient tcp = await(TcpFrameClient.connect(vertx, bridgePort));
    closeAfter(() -> await(tcp.close()));
    // Written by hand: a Vert.x JsonArray would already have changed the value before sending it.
    tcp.writeRaw("{\"type\":\"send\",\"address\":\"" + Addresses.apply(Q) + "\",\"replyAddress\":\"r\","
        + "\"headers\":{\"Authorization\":\"Bearer " + token + "\"},\"body\":" + batch(value) + "}");
    JsonObject err = await(tcp.next());
    assertEquals(400, err.getInteger("failureCode"), err.encode());
    assertEquals(0L, await(node.infoOk(Q)).getLong("seq"), "nothing was applied");
  }

  private BridgeClient subscribed(BridgeClient client) {
    closeAfter(() -> await(client.close()));
    client.register(Addresses.updates(Q), token);
    // A reply is a barrier: the register before it was handled.
    client.request(Addresses.snapshot(Q), new JsonObject(), token);
    await(client.next());
    return client;
  }

  /** The {@code v} of the first update of {@code batch}, as JSON text. */
  private static String valueIn(JsonArray batch) {
    return Json.encode(jsonOf(batch.getJsonObject(0).getJsonObject("data")).get("v"));
  }

  private static JsonNode jsonOf(JsonObject object) {
    try {
      return Json.parse(object.encode());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The batch of the first {@code event: batch} of an SSE stream. */
  private static JsonArray sseBatch(PollStream events) {
    for (int i = 1; i < 20; i++) {
      String line = await(events.line(i));
      if (line.startsWith("data: ") && line.contains("\"batch\"")) {
        return new JsonObject(line.substring("data: ".length())).getJsonArray("batch");
      }
    }
    throw new AssertionError("no batch event in " + events.lines());
  }
}
