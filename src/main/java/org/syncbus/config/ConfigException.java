package org.syncbus.config;

/**
 * A configuration that cannot be used. The message names the setting's path or the file
 * ({@code queues.mdb.pk: missing}) and never contains a secret's value.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
