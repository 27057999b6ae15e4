package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.support.ThrottledLog;

/**
 * The one mapping of a {@link Refusal} onto HTTP (README, "Refusals"): its status, a
 * {@code text/plain} body of its text and detail, {@code Retry-After} on 503,
 * {@code WWW-Authenticate} on 401; one warning line per refusal, throttled per cause, naming
 * the client's address, never its credentials; and a count per status and cause for {@code /metrics}.
 */
final class HttpRefusals {
  static final String TEXT = "text/plain; charset=utf-8";
  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());

  private static final int MAX_LOGGED_CHARS = 200;

  private final ThrottledLog log;
  private final NodeMetrics metrics;

  HttpRefusals(ThrottledLog log, NodeMetrics metrics) {
    this.log = log;
    this.metrics = metrics;
  }

  /** Refuses with a {@link Refused}; anything else is unexpected (500, logged with its stack). */
  void refuse(HttpServerRequest request, Throwable error) {
    if (error instanceof Refused refused) {
      refuse(request, refused);
    } else {
      LOG.log(Level.SEVERE, "unexpected failure", error);
      refuse(request, Refusal.UNEXPECTED.with(null));
    }
  }

  /** Answers the refusal; completes once the answer is written (at once if the response was over). */
  Future<Void> refuse(HttpServerRequest request, Refused refused) {
    HttpServerResponse response = request.response();
    Refusal refusal = refused.refusal();
    metrics.refused(Integer.toString(refusal.status()), refusal.name(), address(request));
    if (refusal != Refusal.UNEXPECTED) {
      log.warn(refusal.name(), () -> "refused " + refusal.status() + " " + refusal.text() + " to "
          + address(request) + " (" + request.method() + " " + printable(request.path()) + ")"
          + (refused.detail() == null ? "" : ": " + printable(refused.detail())));
    }
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    if (refusal.status() == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    if (refusal == Refusal.UNAUTHENTICATED) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    return response.setStatusCode(refusal.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
        .end(refused.httpBody());
  }

  /**
   * A request refused by Vert.x or vertx-web before any syncbus handler ran (a bad escape in the
   * path, no {@code Host}, an origin CORS refuses): the status it chose, one throttled line.
   */
  void refuseUnrouted(HttpServerRequest request, int status, Throwable failure) {
    String why = failure == null || failure.getMessage() == null ? "" : ": " + printable(failure.getMessage());
    metrics.refused(Integer.toString(status), "UNROUTED", address(request));
    log.warn("HTTP " + status, () -> "refused " + status + " to " + address(request)
        + " (" + request.method() + " " + printable(request.path()) + ")" + why);
    HttpServerResponse response = request.response();
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(response.getStatusMessage());
    }
  }

  /** A request Netty could not parse: one throttled line, then Vert.x's own 400/414/431 and close. */
  void refuseMalformed(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    metrics.refused("400", "MALFORMED_REQUEST", address(request));
    log.warn("malformed request", () -> "malformed request from " + address(request)
        + (cause == null ? "" : ": " + printable(cause.getMessage())));
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
  }

  /**
   * Client-chosen text as one log line: control characters (a forged line end) shown as {@code ?},
   * cut at {@value #MAX_LOGGED_CHARS} characters.
   */
  static String printable(String text) {
    if (text == null) {
      return "";
    }
    String cut = text.length() > MAX_LOGGED_CHARS ? text.substring(0, MAX_LOGGED_CHARS) + "…" : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  static String address(HttpServerRequest request) {
    return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
  }
}
