package org.syncbus.cli;

import io.vertx.core.spi.launcher.CommandFactory;
import io.vertx.core.spi.launcher.DefaultCommandFactory;
import java.util.List;

/**
 * syncbus's commands besides {@code run}, registered by its launcher (and only these: the launcher
 * does not look further through Vert.x's {@code CommandFactory} SPI, which would bring Vert.x's own).
 */
public final class Commands {
  private Commands() {}

  /** Every command of this package. */
  public static List<CommandFactory<?>> all() {
    return List.of(
        new DefaultCommandFactory<>(PublishCommand.class, PublishCommand::new),
        new DefaultCommandFactory<>(PollCommand.class, PollCommand::new),
        new DefaultCommandFactory<>(TokenCommand.class, TokenCommand::new),
        new DefaultCommandFactory<>(CheckConfigCommand.class, CheckConfigCommand::new),
        new DefaultCommandFactory<>(VersionCommand.class, VersionCommand::new));
  }
}
