package org.syncbus.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.syncbus.auth.Access;

/**
 * A router that whoever wires the node mounts on every HTTP edge under {@code path + "/*"} (the
 * SockJS bridge), made on the edge's context with the edge's {@link Access}, so that it follows
 * reloaded keys and queues. Requests from pages of other origins reach it only when
 * {@code http.cors.allowedOrigins} names them.
 */
public interface Mount {
  String path();

  Router router(Vertx vertx, Access access);
}
