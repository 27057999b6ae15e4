package org.syncbus.soak;

/** The soak could not go on (a node never came back, no owner, a wait ran out): the message says what and the last state seen. */
final class SoakException extends RuntimeException {
  SoakException(String message) {
    super(message);
  }

  /** The message alone: it is what a failed wait reports, wrapped by {@code Await}. */
  @Override
  public String toString() {
    return getMessage();
  }
}
