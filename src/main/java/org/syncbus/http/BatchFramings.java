package org.syncbus.http;

import io.vertx.core.buffer.Buffer;
import org.syncbus.stream.StreamEvent;

/**
 * One batch framed for the live fan-out: each {@link Format} built once, when the first subscriber
 * of that format needs it, and shared by every subscriber of the format. {@link Format#PLAIN} is
 * the owner's line itself. Lives for one fan-out; what is kept afterwards for resuming clients is
 * the {@link RetainedLog}'s one form.
 */
final class BatchFramings {
  private final StreamEvent.Batch event;
  private final Buffer[] byFormat = new Buffer[Format.values().length];

  BatchFramings(StreamEvent.Batch event) {
    this.event = event;
    byFormat[Format.PLAIN.ordinal()] = event.line();
  }

  Buffer framed(Format format) {
    Buffer framed = byFormat[format.ordinal()];
    if (framed == null) {
      framed = format.batch(event.epoch(), event.seq(), event.array());
      byFormat[format.ordinal()] = framed;
    }
    return framed;
  }
}
