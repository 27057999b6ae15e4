package org.syncbus.support;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Warnings about what clients cause (refused tokens, malformed requests, connections over a limit):
 * one line per cause at most every second, so that no client can flood the log. Lines dropped
 * meanwhile are counted, and the count is said on the cause's next line, or by {@link #flush()}
 * (called every second) once the second is over.
 *
 * <p>Causes are a fixed vocabulary (a refusal's name, a limit's setting), so the map stays small.
 * Shared by the event loops of a node: synchronised, and nothing slow happens inside.
 */
public final class ThrottledLog {
  private static final long INTERVAL_MILLIS = 1000;

  private final Logger logger;
  private final Clock clock;
  private final Map<String, Window> windows = new HashMap<>();

  /** The last line said for a cause, and the lines dropped since. */
  private static final class Window {
    long saidAt;
    long dropped;
  }

  public ThrottledLog(Logger logger, Clock clock) {
    this.logger = logger;
    this.clock = clock;
  }

  /** Says {@code message} at WARNING unless a line of the same {@code cause} was said within the second. */
  public void warn(String cause, Supplier<String> message) {
    if (!logger.isLoggable(Level.WARNING)) {
      return;
    }
    long now = clock.millis();
    long dropped;
    synchronized (this) {
      Window window = windows.computeIfAbsent(cause, c -> new Window());
      if (window.saidAt != 0 && now - window.saidAt < INTERVAL_MILLIS) {
        window.dropped++;
        return;
      }
      dropped = window.dropped;
      window.saidAt = now;
      window.dropped = 0;
    }
    logger.warning(dropped == 0 ? message.get() : message.get() + suppressed(dropped));
  }

  /** Says, for each cause whose second is over, how many of its lines were dropped. */
  public void flush() {
    long now = clock.millis();
    Map<String, Long> due = new HashMap<>();
    synchronized (this) {
      for (Map.Entry<String, Window> entry : windows.entrySet()) {
        Window window = entry.getValue();
        if (window.dropped > 0 && now - window.saidAt >= INTERVAL_MILLIS) {
          due.put(entry.getKey(), window.dropped);
          window.dropped = 0;
          window.saidAt = now;
        }
      }
    }
    due.forEach((cause, dropped) -> logger.warning(cause + ":" + suppressed(dropped)));
  }

  private static String suppressed(long dropped) {
    return " (" + dropped + " more like it suppressed)";
  }
}
