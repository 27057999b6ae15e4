package org.syncbus.contract;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Every way syncbus refuses a request, whatever it came through: the one vocabulary inside the
 * code. Each wire maps it once: HTTP answers {@link #status()} with a body starting with
 * {@link #text()} (PROTOCOL.md, README "Refusals"); the event bus and the bridges carry
 * {@link #code()} as the failure code (the codes of {@link Failure}, and 401 on the bridges).
 * The details (which queue, which element of a batch) travel in {@link Refused#detail()}.
 */
public enum Refusal {
  INVALID_TOKEN(403, "Invalid token"),
  MISSING_TOKEN(400, "Missing hmac parameter"),
  MISSING_DATA(400, "Missing data field"),
  MALFORMED_FORM(400, "Malformed form body"),
  BAD_PARAMETER(400, "Bad parameter"),
  INVALID_BATCH(400, "Invalid batch"),
  INVALID_KEY(400, "Invalid Idempotency-Key"),
  /**
   * The batch's idempotency key was used for another batch within the queue's window: 422, as the
   * IETF draft on the {@code Idempotency-Key} header answers a key reused with another payload.
   */
  KEY_CONFLICT(422, "Idempotency key conflict"),
  UNAUTHENTICATED(401, "Unauthorized"),
  FORBIDDEN(403, "Forbidden"),
  UNKNOWN_QUEUE(404, "Unknown queue"),
  NOT_FOUND(404, "Not found"),
  TOO_SLOW(408, "Request body too slow"),
  TOO_LARGE(413, "Request body too large"),
  /**
   * The batch would take the queue past {@code queues.Q.limits.records} or {@code .bytes}; nothing
   * of it is applied. 507 (Insufficient Storage: the server cannot store what the request needs)
   * rather than 413, which is about the request's own size (a small batch can fill a queue), or 503,
   * which means "retry later" with {@code Retry-After}: waiting does not help until records are
   * deleted or the bound raised. A 5xx, as the same batch succeeds once the queue has room.
   */
  QUEUE_FULL(507, "Queue full"),
  NOT_READY(503, "Queue not ready"),
  BUSY(503, "Server busy"),
  UNEXPECTED(500, "Internal error");

  private final int status;
  private final String text;

  Refusal(int status, String text) {
    this.status = status;
    this.text = text;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The first words of the HTTP body. */
  public String text() {
    return text;
  }

  /** The failure code on the event bus and the bridges: the same number as the HTTP status. */
  public int code() {
    return status;
  }

  /** This refusal as a failure, for refusals decided asynchronously; {@code detail} may be null. */
  public Refused with(String detail) {
    return new Refused(this, detail);
  }

  /** This refusal as an event-bus reply failure. */
  public ReplyException reply(String detail) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code(), detail == null ? text : detail);
  }

  /**
   * What an event-bus reply error means: a syncbus failure code as its refusal; no owner listening
   * or no answer in time as {@link #NOT_READY} (retry later); anything else {@link #UNEXPECTED}.
   */
  public static Refusal ofReply(Throwable error) {
    if (error instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.NO_HANDLERS || reply.failureType() == ReplyFailure.TIMEOUT) {
        return NOT_READY;
      }
      return switch (Failure.of(error)) {
        case INVALID_BATCH -> INVALID_BATCH;
        case QUEUE_FULL -> QUEUE_FULL;
        case KEY_CONFLICT -> KEY_CONFLICT;
        case NOT_ALLOWED -> FORBIDDEN;
        case NOT_READY -> NOT_READY;
        case UNEXPECTED -> UNEXPECTED;
      };
    }
    return UNEXPECTED;
  }
}
