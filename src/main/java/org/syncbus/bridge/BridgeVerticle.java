package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.syncbus.auth.Jwt;
import org.syncbus.config.ConfigException;
import org.syncbus.config.SyncbusConfig;

/**
 * The TCP event-bus bridge ({@code bridges.tcp}): frames of a 4-byte length and a JSON object,
 * reachable from any language. What each frame may do is decided by {@link BridgeGuard}.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BridgeVerticle.class.getName());

  private final SyncbusConfig config;
  private TcpEventBusBridge bridge;

  public BridgeVerticle(SyncbusConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    SyncbusConfig.TcpBridge tcp = config.bridges().tcp();
    BridgeGuard guard = new BridgeGuard(Jwt.create(vertx, config.jwt()), () -> config.queues().keySet());
    bridge = TcpEventBusBridge.create(vertx, BridgeGuard.permit(new BridgeOptions()), new NetServerOptions(),
        (BridgeEvent event) -> guard.handle(event, (refused, frame) -> refused.socket().write(frame(frame))));
    return bridge.listen(tcp.port(), tcp.host())
        .recover(error -> Future.failedFuture(new ConfigException("bridges.tcp.port: cannot listen on "
            + tcp.host() + ":" + tcp.port() + " (" + error.getMessage() + ")")))
        .onSuccess(b -> LOG.info(() -> "TCP event-bus bridge on " + tcp.host() + ":" + tcp.port()));
  }

  @Override
  public Future<?> stop() {
    return bridge.close();
  }

  /** A TCP bridge frame: the JSON's length, big-endian, then the JSON. */
  static Buffer frame(JsonObject json) {
    byte[] bytes = json.encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(bytes.length + 4).appendInt(bytes.length).appendBytes(bytes);
  }
}
