package org.syncbus.http;

/**
 * Every way the HTTP edge refuses a request: its status and the body's first words. The details
 * (which queue, which element of a batch) follow in the body.
 */
enum Refusal {
  INVALID_TOKEN(403, "Invalid token"),
  MISSING_TOKEN(400, "Missing hmac parameter"),
  MISSING_DATA(400, "Missing data field"),
  MALFORMED_FORM(400, "Malformed form body"),
  BAD_PARAMETER(400, "Bad parameter"),
  INVALID_BATCH(400, "Invalid batch"),
  UNAUTHENTICATED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  UNKNOWN_QUEUE(404, "Unknown queue"),
  TOO_LARGE(413, "Request body too large"),
  NOT_READY(503, "Queue not ready"),
  UNEXPECTED(500, "Internal error");

  final int status;
  final String text;

  /** This refusal as a failure, for refusals decided asynchronously; {@code detail} may be null. */
  Refused with(String detail) {
    return new Refused(this, detail);
  }

  /** A refusal travelling through a failed future. */
  static final class Refused extends RuntimeException {
    final Refusal refusal;
    final String detail;

    Refused(Refusal refusal, String detail) {
      super(detail == null ? refusal.text : refusal.text + ": " + detail, null, false, false);
      this.refusal = refusal;
      this.detail = detail;
    }
  }

  Refusal(int status, String text) {
    this.status = status;
    this.text = text;
  }
}
