package org.syncbus.client;

/**
 * The server refused a request, or could not be reached. {@link #status()} is the HTTP status
 * (0 when there was no answer); the message is the server's own.
 */
public final class SyncException extends RuntimeException {
  private final int status;

  public SyncException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public SyncException(String message, Throwable cause) {
    super(message, cause, false, false);
    this.status = 0;
  }

  /** The HTTP status, or 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /** True when the server answered with a refusal (4xx): retrying the same request will not help. */
  public boolean isRefusal() {
    return status >= 400 && status < 500;
  }
}
