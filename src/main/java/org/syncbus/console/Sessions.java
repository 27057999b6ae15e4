package org.syncbus.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's sessions: a short-lived token the node signs when an admin credential logs in, so
 * that the page holds a cookie rather than the credential itself.
 *
 * <p><b>The token</b> is {@code EXP.ID.SIG}: its expiry (epoch seconds,
 * {@code console.sessionMinutes} after the login), a random id, and HMAC-SHA256 of both under a key of 32 random bytes made when the node
 * starts. Nothing is stored per session, so any edge of the node checks any session; the key never
 * leaves the node's memory, so a session is this node's only (in a cluster each node has its own
 * key: a page logs in to the node that serves it) and every session ends when the node restarts.
 *
 * <p><b>Logout</b> revokes the token's id until the token would have expired anyway: a copied
 * cookie is then refused too. The revoked ids are few (one per logout within a session's lifetime)
 * and dropped once expired.
 *
 * <p>Time comes from the injected {@link Clock}. Thread-safe: the edges of the node share it.
 */
final class Sessions {
  /** The cookie that carries a session. */
  static final String COOKIE = "syncbus_console";
  /** How long a session lasts; the page asks to log in again after it. */
  private static final String HMAC = "HmacSHA256";
  private static final int KEY_BYTES = 32;
  private static final int ID_BYTES = 16;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec key;
  /** Revoked session ids, with the expiry of their token. */
  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

  Sessions(Clock clock) {
    this.clock = clock;
    byte[] bytes = new byte[KEY_BYTES];
    random.nextBytes(bytes);
    this.key = new SecretKeySpec(bytes, HMAC);
  }

  /** A session token made now, for {@code lifetime}: valid until {@link #expiry} says otherwise. */
  String issue(Duration lifetime) {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    String payload = clock.instant().plus(lifetime).getEpochSecond() + "." + HexFormat.of().formatHex(id);
    return payload + "." + sign(payload);
  }

  /** When {@code token} expires, if it is one of this node's, unexpired and not revoked; else null. */
  Instant expiry(String token) {
    Parsed parsed = parse(token);
    if (parsed == null || !clock.instant().isBefore(parsed.expiry()) || revoked.containsKey(parsed.id())) {
      return null;
    }
    return parsed.expiry();
  }

  /** Ends the session of {@code token} (logout); does nothing for a token that is not a valid one. */
  void revoke(String token) {
    Instant now = clock.instant();
    revoked.values().removeIf(expiry -> !now.isBefore(expiry));
    Parsed parsed = parse(token);
    if (parsed != null && now.isBefore(parsed.expiry())) {
      revoked.put(parsed.id(), parsed.expiry());
    }
  }

  private record Parsed(Instant expiry, String id) {}

  /** The token's expiry and id when its signature is this node's; null otherwise. */
  private Parsed parse(String token) {
    if (token == null) {
      return null;
    }
    int signature = token.lastIndexOf('.');
    int dot = token.indexOf('.');
    if (dot <= 0 || signature <= dot) {
      return null;
    }
    String payload = token.substring(0, signature);
    byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, token.substring(signature + 1).getBytes(StandardCharsets.US_ASCII))) {
      return null;
    }
    // Signed by this node, so its expiry is the number issue() wrote.
    return new Parsed(Instant.ofEpochSecond(Long.parseLong(token.substring(0, dot))), token.substring(dot + 1, signature));
  }

  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
