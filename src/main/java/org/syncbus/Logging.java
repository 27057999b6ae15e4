package org.syncbus;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.support.LogFormatter;

/**
 * The node's log: java.util.logging, which syncbus, Vert.x, Netty and Hazelcast all write to, each
 * record one line from {@link LogFormatter} on the root handlers (text or JSON, no credential), at
 * the level and in the format of the configuration's {@code log} section, applied again on every
 * reload.
 *
 * <p>Hazelcast's start-up logo is switched off: it is ASCII art, several lines that no folding
 * makes into a readable one.
 */
final class Logging {
  /** One line per record: time, level, logger, message, then any stack trace. */
  static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n";

  /** Held: java.util.logging keeps loggers weakly, and a new one would have forgotten its level. */
  private static final Logger HAZELCAST_LOGO = Logger.getLogger("com.hazelcast.system.logo");

  private Logging() {}

  /**
   * Puts {@link LogFormatter} on every root handler, in text until {@link #apply} says otherwise:
   * called before anything is logged, so that no line of the process, whoever writes it, is
   * multi-line or carries a credential. Wraps the handler's own formatter once.
   */
  static void install() {
    HAZELCAST_LOGO.setLevel(Level.OFF);
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      Formatter formatter = handler.getFormatter();
      if (!(formatter instanceof LogFormatter)) {
        handler.setFormatter(new LogFormatter(formatter == null ? new SimpleFormatter() : formatter));
      }
    }
  }

  /** Sets the level and the format of {@code log} on the root logger and its handlers. */
  static void apply(SyncbusConfig.Log log) {
    install();
    Level level = switch (log.level()) {
      case "TRACE" -> Level.FINEST;
      case "DEBUG" -> Level.FINE;
      case "WARN" -> Level.WARNING;
      case "ERROR" -> Level.SEVERE;
      case "OFF" -> Level.OFF;
      default -> Level.INFO;
    };
    Logger root = Logger.getLogger("");
    root.setLevel(level);
    for (Handler handler : root.getHandlers()) {
      handler.setLevel(level);
      if (handler.getFormatter() instanceof LogFormatter formatter) {
        formatter.json(log.format() == SyncbusConfig.LogFormat.JSON);
      }
    }
  }
}
