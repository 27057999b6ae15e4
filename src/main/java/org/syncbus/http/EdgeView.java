package org.syncbus.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import org.syncbus.auth.Access;

/**
 * What a router mounted on an HTTP edge ({@link Mount}) may use of that edge: its {@link Access}
 * (which follows reloaded keys and queues), its queues as its mirrors serve them, and its one
 * mapping of refusals onto HTTP, so that a mounted router's refusals are answered, logged and
 * counted as the edge's own are. Used on the edge's event loop only.
 */
public interface EdgeView {
  Access access();

  /** The queues the edge serves now, in the configuration's order. */
  List<QueueView> queues();

  /** The queue named {@code name}, or null when the edge serves none of that name. */
  QueueView queue(String name);

  /**
   * Answers {@code request} with the refusal {@code error} carries (a
   * {@link org.syncbus.contract.Refused}; anything else is an unexpected 500, logged).
   */
  void refuse(HttpServerRequest request, Throwable error);
}
