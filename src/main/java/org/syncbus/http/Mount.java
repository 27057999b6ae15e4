package org.syncbus.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * A router that whoever wires the node mounts on every HTTP edge under {@code path + "/*"} (the
 * SockJS bridge, the console), made on the edge's context with what it may use of the edge
 * ({@link EdgeView}: its {@code Access}, so that it follows reloaded keys and queues, its queues,
 * its refusals). Requests from pages of other origins reach it only when
 * {@code http.cors.allowedOrigins} names them.
 */
public interface Mount {
  String path();

  Router router(Vertx vertx, EdgeView edge);
}
