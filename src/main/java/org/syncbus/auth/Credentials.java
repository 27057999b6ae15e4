package org.syncbus.auth;

/**
 * What a request brings to prove it may act on a queue: a JWT ({@code bearer}), or a time token
 * ({@code hmac}) signing the request's message; either may be null.
 */
public record Credentials(String bearer, String hmac) {
  private static final String BEARER = "Bearer ";

  /** The token of an {@code Authorization: Bearer TOKEN} header (scheme case-insensitive, RFC 6750); null otherwise. */
  public static String bearer(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        ? authorization.substring(BEARER.length()).trim() : null;
  }
}
