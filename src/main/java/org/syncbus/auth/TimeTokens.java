package org.syncbus.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import java.time.Clock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shared-secret time tokens (PROTOCOL.md): {@code TIMESTAMP:HEXDIGEST}, the digest being
 * HMAC-SHA256 keyed by the secret over the message followed by the timestamp.
 *
 * <p>A token is valid when it has exactly two parts, its timestamp parses, it is at most
 * {@code ttlSeconds} old and at most {@code maxSkewSeconds} ahead (the original accepted any future
 * time), and its digest matches in constant time. Instances are not thread-safe (they cache one
 * {@link Mac} per secret): each event loop has its own.
 */
public final class TimeTokens {
  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();
  /**
   * A timestamp as the original writes it: ASCII digits, no sign, no leading zero, at most twelve
   * ({@code Long.parseLong} alone would take {@code +T}, {@code 000T} and other scripts' digits).
   */
  private static final Pattern TIMESTAMP = Pattern.compile("0|[1-9][0-9]{0,11}");

  private final long ttlSeconds;
  private final long maxSkewSeconds;
  private final Clock clock;
  private final Map<String, Mac> macs = new HashMap<>();

  public TimeTokens(long ttlSeconds, long maxSkewSeconds, Clock clock) {
    this.ttlSeconds = ttlSeconds;
    this.maxSkewSeconds = maxSkewSeconds;
    this.clock = clock;
  }

  /** The wall clock in Unix seconds, as tokens count time. */
  public static long systemSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /** A token for {@code message} signed with {@code secret} at {@code timestamp}. */
  public static String sign(String secret, String message, long timestamp) {
    return timestamp + ":" + HEX.formatHex(digest(newMac(secret), message, timestamp));
  }

  /** Whether {@code token} signs {@code message} with {@code secret} and is current. */
  public boolean valid(String secret, String message, String token) {
    if (token == null) {
      return false;
    }
    int colon = token.indexOf(':');
    if (colon <= 0 || token.indexOf(':', colon + 1) >= 0) {
      return false;
    }
    String digits = token.substring(0, colon);
    if (!TIMESTAMP.matcher(digits).matches()) {
      return false;
    }
    long timestamp = Long.parseLong(digits);
    long now = clock.millis() / 1000;
    if (now - timestamp > ttlSeconds || timestamp - now > maxSkewSeconds) {
      return false;
    }
    byte[] expected = HEX.formatHex(digest(mac(secret), message, timestamp)).getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
  }

  private Mac mac(String secret) {
    return macs.computeIfAbsent(secret, TimeTokens::newMac);
  }

  private static byte[] digest(Mac mac, String message, long timestamp) {
    mac.update(message.getBytes(StandardCharsets.UTF_8));
    return mac.doFinal(Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII));
  }

  private static Mac newMac(String secret) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(ALGORITHM + " is not available", e);
    }
  }
}
