package org.syncbus.cli;

import io.vertx.core.spi.launcher.DefaultCommandFactory;

/** The launcher commands of syncbus, found by the Vert.x {@code CommandFactory} SPI. */
public final class Commands {
  private Commands() {}

  public static final class Publish extends DefaultCommandFactory<PublishCommand> {
    public Publish() {
      super(PublishCommand.class, PublishCommand::new);
    }
  }

  public static final class Token extends DefaultCommandFactory<TokenCommand> {
    public Token() {
      super(TokenCommand.class, TokenCommand::new);
    }
  }

  public static final class Poll extends DefaultCommandFactory<PollCommand> {
    public Poll() {
      super(PollCommand.class, PollCommand::new);
    }
  }
}
