package org.syncbus.testing;

import io.vertx.core.MultiMap;

/** A complete HTTP response as a test sees it. */
public record HttpReply(int status, MultiMap headers, String body) {
  public String contentType() {
    String type = headers.get("Content-Type");
    return type == null ? "" : type;
  }

  @Override
  public String toString() {
    return "HTTP " + status + " [" + contentType() + "] " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
  }
}
