package org.syncbus.auth;

/**
 * A request that may not do what it asks: {@link #UNAUTHENTICATED} (401: the JWT is missing,
 * malformed, expired, forged, or for another issuer or audience) or {@link #FORBIDDEN} (403: a
 * valid JWT without the right for that queue). The message says which, never the token.
 */
public final class AccessDenied extends RuntimeException {
  public static final int UNAUTHENTICATED = 401;
  public static final int FORBIDDEN = 403;

  private final int status;

  public AccessDenied(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
