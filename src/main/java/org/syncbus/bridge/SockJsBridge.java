package org.syncbus.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.syncbus.auth.Access;
import org.syncbus.http.Mount;

/**
 * The SockJS event-bus bridge ({@code bridges.sockjs}) for browsers and Node, mounted on every HTTP
 * edge under its path ({@code /eventbus/*}). What each frame may do is decided by {@link BridgeGuard}
 * with the edge's {@link Access}, so it follows reloaded keys and queues.
 */
public record SockJsBridge(String path) implements Mount {
  @Override
  public Router router(Vertx vertx, Access access) {
    BridgeGuard guard = new BridgeGuard(access);
    return SockJSHandler.create(vertx).bridge(BridgeGuard.permit(new SockJSBridgeOptions()),
        event -> guard.handle(event, (refused, frame) -> refused.socket().write(Buffer.buffer(frame.encode()))));
  }
}
