package org.syncbus.config;

import java.util.Locale;

/** What a configured host says about who can reach it. */
public final class Hosts {
  private Hosts() {}

  /**
   * Whether {@code host} is a loopback address ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}):
   * only this machine reaches it. Decided from the text, never by a name lookup, so that it is the
   * same wherever the configuration is read; any other name counts as reachable from elsewhere.
   */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT).strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }
}
