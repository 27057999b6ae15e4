package org.syncbus.cli;

import io.vertx.core.cli.annotations.Argument;
import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Summary;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.launcher.DefaultCommand;
import org.syncbus.config.ConfigException;
import org.syncbus.config.ConfigFile;
import org.syncbus.config.ConfigJson;
import org.syncbus.config.Exposure;
import org.syncbus.config.SyncbusConfig;

/**
 * {@code syncbus check-config [FILE]}: validates a configuration file as a starting node would
 * (the same reading and validation, environment references and overrides included, the
 * {@link Exposure} rule too) and prints the configuration the node would run with, every secret
 * masked ({@link ConfigJson}). Certificate files are not opened: a node checks them when it starts.
 */
@Name("check-config")
@Summary("Checks a configuration file and prints it as a node would run it, secrets masked.")
@Description("Reads FILE (default: " + ConfigFile.DEFAULT_PATH + ") as a starting node does, ${NAME} references and "
    + "the SYNCBUS_* environment overrides included, and prints the configuration the node would run with as JSON: "
    + "every setting with its value, every secret as " + ConfigJson.MASK + ". "
    + "Exit status: 0 valid, 1 invalid (one line on stderr naming the setting), 2 bad usage.")
public final class CheckConfigCommand extends DefaultCommand {
  private static final int INVALID = 1;

  private String file = ConfigFile.DEFAULT_PATH;

  @Argument(index = 0, argName = "FILE", required = false)
  @Description("The configuration file, JSON or YAML (.yaml, .yml).")
  public void setFile(String file) {
    this.file = file;
  }

  @Override
  public void run() {
    SyncbusConfig config = read();
    System.out.println(ConfigJson.masked(config).encodePrettily());
    String warning = Exposure.warning(config);
    if (warning != null) {
      System.err.println("syncbus check-config: " + file + ": warning: " + warning);
    }
    ClientCommand.exit(ClientCommand.OK, null);
  }

  /** The file's configuration; exits with {@link #INVALID} and one line naming the file, then the setting, when it has none. */
  private SyncbusConfig read() {
    JsonObject json;
    try {
      json = ConfigFile.readJson(file); // its errors name the file already
    } catch (ConfigException e) {
      ClientCommand.exit(INVALID, "syncbus check-config: " + e.getMessage());
      return null;
    }
    try {
      return SyncbusConfig.parse(json, System.getenv());
    } catch (ConfigException e) {
      ClientCommand.exit(INVALID, "syncbus check-config: " + file + ": " + e.getMessage());
      return null;
    }
  }
}
