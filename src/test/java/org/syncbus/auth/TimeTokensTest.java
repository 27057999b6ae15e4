package org.syncbus.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.FakeClock;

/** PROTOCOL.md, "Time tokens": one test per rule, time from an injected clock. */
class TimeTokensTest {
  private static final String SECRET = "s3cret";
  private static final String POLL = "None";
  private static final long T = 1_700_000_000L;
  private static final long TTL = 120;
  private static final long SKEW = 120;

  private final FakeClock clock = FakeClock.atSeconds(T);
  private final TimeTokens tokens = new TimeTokens(TTL, SKEW, clock);

  /** HMAC-SHA256 hex computed here, independently of the code under test. */
  private static String hmacHex(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] digest = mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (byte b : digest) {
      hex.append(String.format("%02x", b & 0xff));
    }
    return hex.toString();
  }

  private static String token(String secret, String message, long timestamp) throws Exception {
    return timestamp + ":" + hmacHex(secret, message + timestamp);
  }

  @Test
  void protocolExampleSignsNoneFollowedByTheTimestamp() throws Exception {
    String expected = "1700000000:" + hmacHex("s3cret", "None1700000000");
    assertEquals(expected, TimeTokens.sign(SECRET, POLL, T));
    assertEquals(64 + 11, expected.length());
    assertTrue(tokens.valid(SECRET, POLL, expected));
  }

  @Test
  void signIsLowercaseHex() {
    String digest = TimeTokens.sign(SECRET, POLL, T).substring(11);
    assertTrue(digest.matches("[0-9a-f]{64}"), digest);
  }

  @Test
  void updateTokenSignsTheExactDataString() throws Exception {
    String data = "[{\"type\":\"update\",\"data\":{\"id\":\"é\"}}]";
    String token = token(SECRET, data, T);
    assertEquals(token, TimeTokens.sign(SECRET, data, T));
    assertTrue(tokens.valid(SECRET, data, token));
  }

  @Test
  void validTokenIsAccepted() throws Exception {
    assertTrue(tokens.valid(SECRET, POLL, token(SECRET, POLL, T - 5)));
  }

  @Test
  void wrongSecretIsRefused() throws Exception {
    assertFalse(tokens.valid(SECRET, POLL, token("other", POLL, T)));
    assertFalse(tokens.valid("other", POLL, token(SECRET, POLL, T)));
  }

  @Test
  void subscriberSecretDoesNotAllowPublishing() throws Exception {
    String data = "[]";
    String signedWithSubscriber = token("sub-secret", data, T);
    assertFalse(tokens.valid("pub-secret", data, signedWithSubscriber));
    assertTrue(tokens.valid("sub-secret", data, signedWithSubscriber));
  }

  @Test
  void tokenOlderThanTtlIsRefused() throws Exception {
    String token = token(SECRET, POLL, T);
    clock.set(Instant.ofEpochSecond(T + TTL + 1));
    assertFalse(tokens.valid(SECRET, POLL, token));
  }

  @Test
  void tokenExactlyTtlOldIsAccepted() throws Exception {
    String token = token(SECRET, POLL, T);
    clock.set(Instant.ofEpochSecond(T + TTL));
    assertTrue(tokens.valid(SECRET, POLL, token));
  }

  @Test
  void ttlComesFromConfiguration() throws Exception {
    TimeTokens shortLived = new TimeTokens(10, SKEW, clock);
    String token = token(SECRET, POLL, T);
    clock.set(Instant.ofEpochSecond(T + 10));
    assertTrue(shortLived.valid(SECRET, POLL, token));
    clock.set(Instant.ofEpochSecond(T + 11));
    assertFalse(shortLived.valid(SECRET, POLL, token));
  }

  @Test
  void tokenDatedBeyondMaxSkewIsRefused() throws Exception {
    assertFalse(tokens.valid(SECRET, POLL, token(SECRET, POLL, T + SKEW + 1)));
    assertFalse(tokens.valid(SECRET, POLL, token(SECRET, POLL, T + 100_000)));
  }

  @Test
  void tokenDatedWithinMaxSkewIsAccepted() throws Exception {
    assertTrue(tokens.valid(SECRET, POLL, token(SECRET, POLL, T + 1)));
    assertTrue(tokens.valid(SECRET, POLL, token(SECRET, POLL, T + SKEW)));
  }

  @Test
  void zeroSkewRefusesAnyFutureToken() throws Exception {
    TimeTokens strict = new TimeTokens(TTL, 0, clock);
    assertTrue(strict.valid(SECRET, POLL, token(SECRET, POLL, T)));
    assertFalse(strict.valid(SECRET, POLL, token(SECRET, POLL, T + 1)));
  }

  @Test
  void tokenWithoutColonIsRefused() throws Exception {
    assertFalse(tokens.valid(SECRET, POLL, token(SECRET, POLL, T).replace(":", "")));
    assertFalse(tokens.valid(SECRET, POLL, Long.toString(T)));
  }

  @Test
  void tokenWithThreePartsIsRefused() throws Exception {
    String valid = token(SECRET, POLL, T);
    assertFalse(tokens.valid(SECRET, POLL, valid + ":extra"));
    assertFalse(tokens.valid(SECRET, POLL, valid + ":"));
    assertFalse(tokens.valid(SECRET, POLL, "x:" + valid));
  }

  @Test
  void nonNumericTimestampIsRefused() throws Exception {
    String digest = hmacHex(SECRET, POLL + T);
    assertFalse(tokens.valid(SECRET, POLL, "abc:" + digest));
    assertFalse(tokens.valid(SECRET, POLL, "1700000000.0:" + digest));
    assertFalse(tokens.valid(SECRET, POLL, "99999999999999999999999:" + digest));
  }

  /** A timestamp is 0 or ASCII digits without sign or leading zero, at most twelve: Long.parseLong is more lenient. */
  @Test
  void timestampsOnlyInTheOriginalsFormAreAccepted() throws Exception {
    String digest = hmacHex(SECRET, POLL + T);
    assertTrue(tokens.valid(SECRET, POLL, T + ":" + digest));
    assertFalse(tokens.valid(SECRET, POLL, "+" + T + ":" + digest), "a sign");
    assertFalse(tokens.valid(SECRET, POLL, "000" + T + ":" + digest), "leading zeros");
    String arabicIndic = Long.toString(T).chars().mapToObj(c -> String.valueOf((char) ('\u0660' + (c - '0'))))
        .reduce("", String::concat);
    assertFalse(tokens.valid(SECRET, POLL, arabicIndic + ":" + digest), "digits of another script");
    assertFalse(tokens.valid(SECRET, POLL, "1" + "0".repeat(12) + ":" + digest), "thirteen digits");
  }

  @Test
  void emptyTimestampIsRefused() throws Exception {
    assertFalse(tokens.valid(SECRET, POLL, ":" + hmacHex(SECRET, POLL + T)));
  }

  @Test
  void emptyDigestIsRefused() {
    assertFalse(tokens.valid(SECRET, POLL, T + ":"));
  }

  @Test
  void emptyTokenIsRefused() {
    assertFalse(tokens.valid(SECRET, POLL, ""));
  }

  @Test
  void nullTokenIsRefused() {
    assertFalse(tokens.valid(SECRET, POLL, null));
  }

  @Test
  void uppercaseDigestIsRefused() throws Exception {
    String valid = token(SECRET, POLL, T);
    String upper = T + ":" + valid.substring(11).toUpperCase(Locale.ROOT);
    assertTrue(valid.substring(11).matches(".*[a-f].*"), "digest has letters to upper-case");
    assertFalse(tokens.valid(SECRET, POLL, upper));
    assertTrue(tokens.valid(SECRET, POLL, valid));
  }

  @Test
  void truncatedDigestIsRefused() throws Exception {
    String valid = token(SECRET, POLL, T);
    assertFalse(tokens.valid(SECRET, POLL, valid.substring(0, valid.length() - 1)));
  }

  @Test
  void tokenSignedOverADifferentMessageIsRefused() throws Exception {
    assertFalse(tokens.valid(SECRET, POLL, token(SECRET, "[]", T)));
    assertFalse(tokens.valid(SECRET, "[{\"id\": 1}]", token(SECRET, "[{\"id\":1}]", T)));
  }

  @Test
  void tokenWhoseTimestampDiffersFromTheSignedOneIsRefused() throws Exception {
    String digest = hmacHex(SECRET, POLL + T);
    assertFalse(tokens.valid(SECRET, POLL, (T + 1) + ":" + digest));
  }

  @Test
  void macCacheDoesNotMixSecretsOrMessages() throws Exception {
    // Interleave secrets and messages on one instance: a cached Mac must carry no state over.
    assertTrue(tokens.valid("a", POLL, token("a", POLL, T)));
    assertFalse(tokens.valid("b", POLL, token("a", POLL, T)));
    assertTrue(tokens.valid("b", "[]", token("b", "[]", T)));
    assertTrue(tokens.valid("a", "[1]", token("a", "[1]", T)));
    assertFalse(tokens.valid("a", "[1]", "bad:token"));
    assertTrue(tokens.valid("a", POLL, token("a", POLL, T)));
  }
}
