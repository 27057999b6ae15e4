package org.syncbus.queue;

/**
 * A batch, or an initial backlog, that cannot be applied. The message names the first bad element
 * and what is wrong with it, e.g. {@code batch[3].data: missing key field "mac"}; nothing of such a
 * batch is applied.
 */
public final class InvalidBatchException extends Exception {
  public InvalidBatchException(String message) {
    super(message, null, false, false);
  }
}
