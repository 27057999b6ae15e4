package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import org.syncbus.testing.TestNode;

/**
 * The bridge rules over the TCP bridge ({@code bridges.tcp}), with {@link TcpFrameClient}. Its
 * generic err frames carry their code in {@code message}; a frame of unknown type is answered by
 * syncbus's frame filter ({@code unknown_type}), a send without address by syncbus's guard (403)
 * and the bridge's follow-up; a ping gets a pong.
 */
class TcpBridgeRulesTest extends BridgeRules {
  private final int port = freePort();

  /** The bridge cannot report the port it got for 0: a free one is chosen here. */
  private static int freePort() {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected JsonObject bridges() {
    return new JsonObject().put("tcp", new JsonObject().put("enabled", true).put("port", port));
  }

  @Override
  protected Future<BridgeClient> connect(TestNode node) {
    return TcpFrameClient.connect(vertx, port);
  }

  @Override
  protected String messageType() {
    return "message";
  }

  @Override
  protected String genericCode(JsonObject err) {
    return err.getString("message");
  }

  @Override
  protected String refusalFollowUp() {
    return "blocked by bridgeEvent handler";
  }

  @Override
  protected String unknownTypeCode() {
    return "unknown_type";
  }

  @Override
  protected List<Object> errorsForASendWithoutAddress() {
    return List.of(403, refusalFollowUp());
  }

  @Override
  protected Optional<String> pingAnswer() {
    return Optional.of("pong");
  }
}
