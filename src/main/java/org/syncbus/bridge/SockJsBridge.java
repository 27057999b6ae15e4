package org.syncbus.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.syncbus.auth.Jwt;
import org.syncbus.config.SyncbusConfig;

/**
 * The SockJS event-bus bridge ({@code bridges.sockjs}) for browsers and Node, mounted by the HTTP
 * edge under its path ({@code /eventbus/*}). What each frame may do is decided by {@link BridgeGuard}.
 */
public final class SockJsBridge {
  private SockJsBridge() {}

  /** The bridge's router, to mount at {@code bridges.sockjs.path + "/*"}. */
  public static Router router(Vertx vertx, SyncbusConfig config, Jwt jwt) {
    BridgeGuard guard = new BridgeGuard(jwt, () -> config.queues().keySet());
    return SockJSHandler.create(vertx).bridge(BridgeGuard.permit(new SockJSBridgeOptions()),
        event -> guard.handle(event, (refused, frame) -> refused.socket().write(Buffer.buffer(frame.encode()))));
  }
}
