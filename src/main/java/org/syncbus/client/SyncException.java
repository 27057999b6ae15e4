package org.syncbus.client;

import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * The server refused a request, or could not be reached. {@link #status()} is the HTTP status
 * (0 when there was no answer); the message is the server's own.
 */
public final class SyncException extends RuntimeException {
  /** Queue full: the batch does not fit the queue's bounds, and will not until records go. */
  private static final int INSUFFICIENT_STORAGE = 507;

  private final int status;
  private final Duration retryAfter;

  public SyncException(int status, String message) {
    this(status, message, null, null);
  }

  public SyncException(String message, Throwable cause) {
    this(0, message, null, cause);
  }

  SyncException(int status, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status, or 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /**
   * True when the server refused the request itself (4xx, or 507 for a full queue): retrying the
   * same request will not help.
   */
  public boolean isRefusal() {
    return status >= 400 && status < 500 || status == INSUFFICIENT_STORAGE;
  }

  /**
   * True when the same request may succeed later: no answer at all (refused or lost connection,
   * timeout), or 503, the server's own "retry later". {@link SyncClient#sendUpdates(String)}
   * retries these, and only these.
   */
  public boolean isTransient() {
    if (status == 503) {
      return true;
    }
    // A certificate the client does not trust (or that does not trust the client) stays so: not retried.
    for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLHandshakeException) {
        return false;
      }
    }
    return status == 0;
  }

  /** How long the server asked to wait before retrying ({@code Retry-After} in seconds), if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
