package org.syncbus.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.syncbus.auth.TimeTokens;

/** Time tokens as a client computes them (PROTOCOL.md, "Time tokens"). */
public final class Tokens {
  /** What a poll token signs: the original client signs "no message". */
  public static final String POLL_MESSAGE = "None";

  private Tokens() {}

  public static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** A token for {@code /poll}, dated now. */
  public static String poll(String secret) {
    return poll(secret, now());
  }

  public static String poll(String secret, long timestamp) {
    return TimeTokens.sign(secret, POLL_MESSAGE, timestamp);
  }

  /** A token for {@code /update} signing exactly {@code data}, dated now. */
  public static String update(String secret, String data) {
    return update(secret, data, now());
  }

  public static String update(String secret, String data, long timestamp) {
    return TimeTokens.sign(secret, data, timestamp);
  }

  /** The query of a poll request: {@code data={}} (ignored) and the token. */
  public static String pollQuery(String token) {
    return "?data=%7B%7D" + (token == null ? "" : "&hmac=" + encode(token));
  }

  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
