package org.syncbus.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;
import java.util.List;
import org.syncbus.auth.Access;
import org.syncbus.http.EdgeView;
import org.syncbus.http.Mount;
import org.syncbus.metrics.NodeMetrics;

/**
 * The SockJS event-bus bridge ({@code bridges.sockjs}) for browsers and Node, mounted on every HTTP
 * edge under its path ({@code /eventbus/*}). What each frame may do is decided by {@link BridgeGuard}
 * with the edge's {@link Access}, so it follows reloaded keys and queues.
 *
 * <p>WebSocket only: SockJS's HTTP fallbacks (XHR streaming and polling, EventSource, HTML file,
 * JSONP) send frames as request bodies, which would be read outside the node's bounds on bodies
 * ({@code http.maxBodyBytes}, {@code limits.bufferedBodyBytes}, the slow-body guard); they are
 * switched off, so a client without WebSocket is refused at once rather than failing later.
 */
public record SockJsBridge(String path, NodeMetrics metrics) implements Mount {
  @Override
  public Router router(Vertx vertx, EdgeView edge) {
    BridgeGuard guard = new BridgeGuard(edge.access());
    BridgeMeters meters = new BridgeMeters(metrics);
    SockJSHandlerOptions options = new SockJSHandlerOptions();
    for (Transport fallback : List.of(Transport.EVENT_SOURCE, Transport.HTML_FILE, Transport.JSON_P, Transport.XHR)) {
      options.addDisabledTransport(fallback.name());
    }
    return SockJSHandler.create(vertx, options).bridge(BridgeGuard.permit(new SockJSBridgeOptions()), event -> {
      count(meters, event);
      String client = event.socket().remoteAddress() == null ? "unknown" : event.socket().remoteAddress().hostAddress();
      guard.handle(event, client, meters, (refused, frame) -> refused.socket().write(Buffer.buffer(frame.encode())));
    });
  }

  /** Counts what the SockJS bridge reports: client frames by type, and registrations on {@code updates}. */
  private static void count(BridgeMeters meters, BridgeEvent event) {
    String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
    switch (event.type()) {
      case SEND -> meters.frame("send");
      case PUBLISH -> meters.frame("publish");
      case REGISTER -> meters.frame("register");
      case UNREGISTER -> {
        meters.frame("unregister");
        meters.unregistered(event.socket(), address);
      }
      case SOCKET_PING -> meters.frame("ping");
      case REGISTERED -> meters.registered(event.socket(), address);
      case SOCKET_CLOSED -> meters.closed(event.socket());
      default -> { }
    }
  }
}
