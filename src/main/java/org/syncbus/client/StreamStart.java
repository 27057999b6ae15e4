package org.syncbus.client;

/** How the last stream of a subscription began. */
public enum StreamStart {
  /** No stream yet. */
  NONE,
  /** The whole backlog: the first stream. */
  SNAPSHOT,
  /** Exactly the batches missed since the last one received. */
  RESUMED,
  /** The whole backlog again: the server could not resume (restarted, or too far behind). */
  RESET
}
