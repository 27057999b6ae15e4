package org.syncbus.cli;

import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Summary;
import io.vertx.core.spi.launcher.DefaultCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code syncbus version} (and {@code --version}): prints {@code syncbus VERSION} on stdout, the
 * version of the build (pom.xml's, put into {@value #RESOURCE} by the build), not Vert.x's.
 */
@Name("version")
@Summary("Prints syncbus's version.")
public final class VersionCommand extends DefaultCommand {
  private static final String RESOURCE = "version.properties";

  @Override
  public void run() {
    System.out.println("syncbus " + version());
  }

  /** The build's version. */
  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
