package org.syncbus;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.syncbus.support.Redaction;

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

  /**
   * Makes every line of the process's log go through {@link Redaction}: the root handlers'
   * formatters are wrapped, so Vert.x's and Hazelcast's lines are covered as well as syncbus's.
   */
  static void redactCredentials() {
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      Formatter formatter = handler.getFormatter();
      if (!(formatter instanceof Redacting)) {
        handler.setFormatter(new Redacting(formatter == null ? new SimpleFormatter() : formatter));
      }
    }
  }

  /** A formatter whose lines carry no credential. */
  private static final class Redacting extends Formatter {
    private final Formatter inner;

    Redacting(Formatter inner) {
      this.inner = inner;
    }

    @Override
    public String format(LogRecord record) {
      return Redaction.mask(inner.format(record));
    }

    @Override
    public String getHead(Handler handler) {
      return inner.getHead(handler);
    }

    @Override
    public String getTail(Handler handler) {
      return inner.getTail(handler);
    }
  }
}
