package org.syncbus.contract;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The failure codes of event-bus replies (DESIGN.md): a {@link ReplyException} from a syncbus
 * address carries one of these codes and a message saying what was wrong.
 */
public enum Failure {
  INVALID_BATCH(400),
  NOT_ALLOWED(403),
  /** The batch would take the queue past one of its bounds ({@code queues.Q.limits.*}); nothing of it is applied. */
  QUEUE_FULL(507),
  /** An idempotency key already used for another batch; nothing is applied. */
  KEY_CONFLICT(422),
  NOT_READY(503),
  UNEXPECTED(500);

  private final int code;

  Failure(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * The failure a reply error stands for: a syncbus code as is; no owner listening or no answer in
   * time as {@link #NOT_READY} (retry later); anything else as {@link #UNEXPECTED}.
   */
  public static Failure of(Throwable error) {
    if (error instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.NO_HANDLERS || reply.failureType() == ReplyFailure.TIMEOUT) {
        return NOT_READY;
      }
      for (Failure failure : values()) {
        if (failure.code == reply.failureCode()) {
          return failure;
        }
      }
    }
    return UNEXPECTED;
  }
}
