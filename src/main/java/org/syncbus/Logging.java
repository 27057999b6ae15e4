package org.syncbus;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Maps {@code log.level} onto java.util.logging, which Vert.x and syncbus log through. */
final class Logging {
  /** One line per record: time, level, logger, message, then any stack trace. */
  static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n";

  private Logging() {}

  static void setLevel(String level) {
    Level julLevel = switch (level) {
      case "TRACE" -> Level.FINEST;
      case "DEBUG" -> Level.FINE;
      case "WARN" -> Level.WARNING;
      case "ERROR" -> Level.SEVERE;
      case "OFF" -> Level.OFF;
      default -> Level.INFO;
    };
    Logger root = Logger.getLogger("");
    root.setLevel(julLevel);
    for (var handler : root.getHandlers()) {
      handler.setLevel(julLevel);
    }
  }
}
