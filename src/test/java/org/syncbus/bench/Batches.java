package org.syncbus.bench;

/**
 * The batches the bench publishes, as JSON text. One record shape everywhere: {@code id} (the
 * queue's key), {@code n}, {@code t} (the publisher's {@link System#nanoTime()}, read back by the
 * latency probes; 0 when no latency is measured) and {@code pad}, which sets the line's size.
 */
final class Batches {
  private Batches() {
  }

  /** A batch of one update. */
  static String update(int id, long n, long t, String pad) {
    StringBuilder sb = new StringBuilder(100 + pad.length()).append('[');
    return appendUpdate(sb, id, n, t, pad).append(']').toString();
  }

  /** Updates of ids {@code from} to {@code to - 1}, each with {@code n = id}, {@code t = 0}. */
  static String updates(int from, int to, String pad) {
    StringBuilder sb = new StringBuilder(Math.max(0, to - from) * (100 + pad.length())).append('[');
    for (int id = from; id < to; id++) {
      if (id > from) {
        sb.append(',');
      }
      appendUpdate(sb, id, id, 0, pad);
    }
    return sb.append(']').toString();
  }

  /** Deletes of ids {@code from} to {@code to - 1}. */
  static String deletes(int from, int to) {
    StringBuilder sb = new StringBuilder("[");
    for (int id = from; id < to; id++) {
      if (id > from) {
        sb.append(',');
      }
      sb.append("{\"type\":\"delete\",\"data\":{\"id\":").append(id).append("}}");
    }
    return sb.append(']').toString();
  }

  private static StringBuilder appendUpdate(StringBuilder sb, int id, long n, long t, String pad) {
    return sb.append("{\"type\":\"update\",\"data\":{\"id\":").append(id).append(",\"n\":").append(n)
        .append(",\"t\":").append(t).append(",\"pad\":\"").append(pad).append("\"}}");
  }
}
