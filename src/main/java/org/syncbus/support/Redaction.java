package org.syncbus.support;

import java.util.regex.Pattern;

/**
 * Takes credentials out of text that is about to be logged: the values of the {@code hmac} and
 * {@code access_token} parameters in any URI, and bearer tokens. Applied to every log line the
 * node writes, Vert.x's and Hazelcast's included, so that no level, not even TRACE, shows a token.
 */
public final class Redaction {
  public static final String MASK = "***";
  private static final Pattern PARAMETER = Pattern.compile("(?i)\\b(hmac|access_token)=[^&\\s\"'#]*");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(Bearer\\s+)[A-Za-z0-9._~+/=-]+");

  private Redaction() {}

  /** {@code text} with every credential replaced by {@link #MASK}. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = PARAMETER.matcher(text).replaceAll("$1=" + MASK);
    return BEARER.matcher(masked).replaceAll("$1" + MASK);
  }
}
