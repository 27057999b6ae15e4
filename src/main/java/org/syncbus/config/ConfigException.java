package org.syncbus.config;

import java.net.UnknownHostException;

/**
 * A configuration that cannot be used. The message names the setting's path or the file
 * ({@code queues.mdb.pk: missing}) and never contains a secret's value.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }

  /**
   * Why a port of the node could not be opened, blamed on the setting to change: {@code section.port}
   * when the port is taken or needs privileges, {@code section.host} when the host does not resolve
   * or is not an address of this machine. {@code section} is the port's section ({@code http},
   * {@code bridges.tcp}). The cause is recognised by its type or by the operating system's
   * message, which is all that Netty's native transports keep of it.
   */
  public static ConfigException cannotListen(String section, String host, int port, Throwable error) {
    String address = host + ":" + port;
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      String message = String.valueOf(cause.getMessage());
      if (cause instanceof UnknownHostException) {
        return new ConfigException(section + ".host: cannot resolve " + host);
      }
      if (message.contains("Address already in use")) {
        return new ConfigException(section + ".port: " + address + " is in use");
      }
      if (message.contains("Cannot assign requested address")) {
        return new ConfigException(section + ".host: " + host + " is not an address of this machine");
      }
      if (message.contains("Permission denied")) {
        return new ConfigException(section + ".port: " + port + " needs privileges (permission denied)");
      }
    }
    return new ConfigException(section + ".port: cannot listen on " + address + " (" + error.getMessage() + ")");
  }
}
