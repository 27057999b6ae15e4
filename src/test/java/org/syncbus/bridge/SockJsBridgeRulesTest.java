package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
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
}
