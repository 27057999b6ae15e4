package org.syncbus.support;

/**
 * Errors after which the process must end: an {@link OutOfMemoryError} leaves threads dead and
 * state half-changed wherever it struck (an event loop that died stops serving its connections, a
 * port may stop listening) while the process looks alive to its supervisor. Exiting lets the
 * supervisor restart a whole node; the cluster and the clients' resume do the rest.
 *
 * <p>The launcher turns exiting on for the process it runs ({@link #exitOnFatalErrors()}); an
 * application that embeds syncbus decides for its own process, so by default this does nothing.
 */
public final class Fatal {
  /** The exit status, the JVM's own for {@code -XX:+ExitOnOutOfMemoryError}. */
  public static final int EXIT_STATUS = 3;
  private static volatile boolean exiting;

  private Fatal() {}

  /** From now on a fatal error ends the process, also one no other handler sees (a dying thread). */
  public static void exitOnFatalErrors() {
    exiting = true;
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
      check(error);
      if (previous != null) {
        previous.uncaughtException(thread, error);
      } else {
        thread.getThreadGroup().uncaughtException(thread, error);
      }
    });
  }

  /** Ends the process at once when {@code error} (or one of its causes) is fatal and exiting is on. */
  public static void check(Throwable error) {
    if (exiting && isFatal(error)) {
      // halt, not exit: shutdown hooks would run on a heap that has no room for them.
      System.err.println("syncbus: fatal " + error.getClass().getName() + " (" + error.getMessage() + "); exiting");
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }

  static boolean isFatal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }
}
