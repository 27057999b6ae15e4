package org.syncbus.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.TestNode;

/**
 * The bridge rules over the SockJS bridge ({@code bridges.sockjs}, mounted at {@value #PATH} on the
 * HTTP port), with {@link SockJsFrameClient} on its raw WebSocket endpoint. vertx-web's bridge
 * names message frames {@code rec}, puts a generic err frame's code in {@code body}, answers a
 * frame of unknown type with {@code invalid_type} and a send without address with
 * {@code missing_address} before any handler sees it; a ping only keeps the socket alive.
 */
class SockJsBridgeRulesTest extends BridgeRules {
  static final String PATH = "/eventbus";

  @Override
  protected JsonObject bridges() {
    return new JsonObject().put("sockjs", new JsonObject().put("enabled", true).put("path", PATH));
  }

  @Override
  protected Future<BridgeClient> connect(TestNode node) {
    return SockJsFrameClient.connect(vertx, node.port(), PATH);
  }

  @Override
  protected String messageType() {
    return "rec";
  }

  @Override
  protected String genericCode(JsonObject err) {
    return err.getString("body");
  }

  @Override
  protected String refusalFollowUp() {
    return "rejected";
  }

  @Override
  protected String unknownTypeCode() {
    return "invalid_type";
  }

  @Override
  protected List<Object> errorsForASendWithoutAddress() {
    return List.of("missing_address");
  }

  @Override
  protected Optional<String> pingAnswer() {
    return Optional.empty();
  }

  /**
   * SockJS's HTTP fallbacks are off (README, "Bridges and JWT"): their frames would be request
   * bodies outside the node's bounds. Each is refused at once, never a 500; the WebSocket stays.
   */
  @Test
  void theHttpFallbacksAreRefusedAtOnce() {
    for (String transport : List.of("xhr", "xhr_streaming", "xhr_send", "eventsource", "htmlfile?c=x", "jsonp?c=x")) {
      HttpReply reply = await(node.send(HttpMethod.POST,
          PATH + "/000/fallback" + transport.length() + "/" + transport, "application/json",
          Buffer.buffer("[\"{}\"]")));
      assertEquals(404, reply.status(), transport + ": " + reply);
    }
  }
}
