package org.syncbus.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The log lines of one logger, for waiting on events the server only announces in its log (a
 * failed attempt to load a backlog). Detached when closed.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private static final SimpleFormatter FORMATTER = new SimpleFormatter();

  private final Logger logger;
  private final List<String> messages = new ArrayList<>();
  private final List<Level> levels = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();

  private record Waiter(Predicate<String> accepted, Promise<String> promise) {}

  private LogCapture(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing what the logger named after {@code type} logs. */
  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  /** Starts capturing what the logger {@code name} and the loggers below it log. */
  public static LogCapture of(String name) {
    LogCapture capture = new LogCapture(Logger.getLogger(name));
    capture.logger.addHandler(capture);
    return capture;
  }

  /** Completes with the first message (already logged or to come) that {@code accepted}. */
  public synchronized Future<String> message(Predicate<String> accepted) {
    for (String message : messages) {
      if (accepted.test(message)) {
        return Future.succeededFuture(message);
      }
    }
    Waiter waiter = new Waiter(accepted, Promise.promise());
    waiters.add(waiter);
    return waiter.promise.future();
  }

  public synchronized List<String> messages() {
    return List.copyOf(messages);
  }

  /** The messages logged at {@code level}, in order. */
  public synchronized List<String> messages(Level level) {
    List<String> at = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      if (levels.get(i).equals(level)) {
        at.add(messages.get(i));
      }
    }
    return at;
  }

  @Override
  public void publish(LogRecord record) {
    String message = FORMATTER.formatMessage(record);
    List<Waiter> due = new ArrayList<>();
    synchronized (this) {
      messages.add(message);
      levels.add(record.getLevel());
      waiters.removeIf(waiter -> waiter.accepted.test(message) && due.add(waiter));
    }
    due.forEach(waiter -> waiter.promise.tryComplete(message));
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
