package org.syncbus.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The addresses a node listens on ({@code http.host}, {@code bridges.tcp.host}), checked and
 * classified without a name lookup: configurations are parsed on event loops (a reload), where
 * DNS must not be waited for.
 *
 * <p>So a host is judged by its text. An IP literal is loopback when it is in 127.0.0.0/8 or is
 * {@code ::1}; {@code localhost} is loopback; any other host name counts as reachable from other
 * machines, whatever it resolves to (the safe side: {@link Exposure} then asks for strong secrets).
 * Whether a name resolves at all is found when the port is opened, and blamed on its setting then
 * ({@link ConfigException#cannotListen}).
 */
public final class Hosts {
  /** Digits and dots only: meant as an IPv4 address, so it must be one (not {@code 127.1}, not {@code 256.1.1.1}). */
  private static final Pattern IPV4_LIKE = Pattern.compile("[0-9.]+");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  /** What Java parses as an IPv6 literal, never as a name to look up: hex digits, colons, dots, a zone. */
  private static final Pattern IPV6_LIKE = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*)(\\.[A-Za-z0-9_-]+)*\\.?");
  private static final String LOCALHOST = "localhost";

  private Hosts() {}

  /** {@code host} when it is an IPv4 or IPv6 address or a host name; else refused naming {@code path}. */
  static String check(String path, String host) {
    if (host.isEmpty()) {
      throw new ConfigException(path + ": must not be empty");
    }
    if (IPV4_LIKE.matcher(host).matches() && !IPV4.matcher(host).matches()) {
      throw new ConfigException(path + ": " + host + " is not an IPv4 address");
    }
    if (host.contains(":") && ipv6(host) == null) {
      throw new ConfigException(path + ": " + host + " is not an IPv6 address");
    }
    if (!host.contains(":") && !NAME.matcher(host).matches()) {
      throw new ConfigException(path + ": expected an IP address or a host name, got \"" + host + "\"");
    }
    return host;
  }

  /** Whether a node listening on {@code host} (already {@link #check checked}) is reachable from this machine only. */
  public static boolean isLoopback(String host) {
    if (host.toLowerCase(Locale.ROOT).equals(LOCALHOST)) {
      return true;
    }
    if (IPV4.matcher(host).matches()) {
      return host.startsWith("127.");
    }
    InetAddress address = host.contains(":") ? ipv6(host) : null;
    return address != null && address.isLoopbackAddress();
  }

  /**
   * The IPv6 literal {@code host}, or null when it is not one. Never a lookup: only text that Java
   * reads as a literal ({@link #IPV6_LIKE}, with a colon) reaches {@link InetAddress#getByName}.
   */
  private static InetAddress ipv6(String host) {
    if (!IPV6_LIKE.matcher(host).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
