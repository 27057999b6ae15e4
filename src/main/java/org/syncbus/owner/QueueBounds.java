package org.syncbus.owner;

import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.EncodedBacklog;

/**
 * A queue's bounds ({@code queues.Q.limits.records} and {@code .bytes}) as its owner checks them,
 * on the size a batch would leave ({@link EncodedBacklog#sizeAfter}) before anything of it is
 * applied.
 *
 * <p><b>Only growth is refused.</b> A batch is refused when it would take the records or the bytes
 * past their bound <em>and</em> make that figure larger than it is. So deletes, and updates that
 * do not grow the backlog, always pass, even in a queue already past a bound (its initial backlog
 * was larger, or a reload lowered the bound): that is how such a queue gets back under it.
 */
final class QueueBounds {
  private QueueBounds() {}

  /** Why {@code queue} may not go from {@code before} to {@code after}, naming the bound; null when it may. */
  static String refusal(SyncbusConfig.Queue queue, EncodedBacklog.Size before, EncodedBacklog.Size after) {
    SyncbusConfig.QueueLimits limits = queue.limits();
    if (after.records() > limits.records() && after.records() > before.records()) {
      return "queue " + queue.name() + " would hold " + after.records() + " records (" + path(queue, "records")
          + " is " + limits.records() + ")";
    }
    if (after.bytes() > limits.bytes() && after.bytes() > before.bytes()) {
      return "queue " + queue.name() + " would hold " + after.bytes() + " bytes of records (" + path(queue, "bytes")
          + " is " + limits.bytes() + ")";
    }
    return null;
  }

  /** Which bound {@code size} is past already, named with both figures; null when within both. */
  static String exceeded(SyncbusConfig.Queue queue, EncodedBacklog.Size size) {
    SyncbusConfig.QueueLimits limits = queue.limits();
    if (size.records() > limits.records()) {
      return size.records() + " records, over " + path(queue, "records") + " (" + limits.records() + ")";
    }
    if (size.bytes() > limits.bytes()) {
      return size.bytes() + " bytes of records, over " + path(queue, "bytes") + " (" + limits.bytes() + ")";
    }
    return null;
  }

  private static String path(SyncbusConfig.Queue queue, String bound) {
    return "queues." + queue.name() + ".limits." + bound;
  }
}
