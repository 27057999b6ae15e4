package org.syncbus.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.syncbus.auth.Jwt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The SockJS event-bus bridge ({@code bridges.sockjs}) for browsers and Node, mounted by the HTTP
 * edge under its path ({@code /eventbus/*}). What each frame may do is decided by {@link BridgeGuard}.
 */
public final class SockJsBridge {
  private SockJsBridge() {}

  /** The bridge's router, to mount at {@code bridges.sockjs.path + "/*"}; JWT and queues as they currently are. */
  public static Router router(Vertx vertx, Supplier<Jwt> jwt, Supplier<Set<String>> queues) {
    BridgeGuard guard = new BridgeGuard(jwt, queues);
    return SockJSHandler.create(vertx).bridge(BridgeGuard.permit(new SockJSBridgeOptions()),
        event -> guard.handle(event, (refused, frame) -> refused.socket().write(Buffer.buffer(frame.encode()))));
  }
}
