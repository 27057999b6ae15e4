package org.syncbus.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
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
  private final ByteBuf[] chunks = new ByteBuf[Format.values().length];

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

  /**
   * The line of {@code format} as one HTTP/1.1 chunk (hex size, CRLF, the line, CRLF) in a direct
   * buffer, for {@link ChunkWriter}: built once, written to every subscriber of the format.
   */
  ByteBuf chunk(Format format) {
    ByteBuf chunk = chunks[format.ordinal()];
    if (chunk == null) {
      chunk = ChunkWriter.chunk(framed(format), UnpooledByteBufAllocator.DEFAULT);
      chunks[format.ordinal()] = chunk;
    }
    return chunk;
  }

  /** Gives back the chunks' memory once the fan-out is over (the writes hold their own references). */
  void release() {
    for (ByteBuf chunk : chunks) {
      if (chunk != null) {
        chunk.release();
      }
    }
  }
}
