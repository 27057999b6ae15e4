package org.syncbus.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import org.syncbus.limits.Disconnect;
import java.util.ArrayDeque;

/**
 * One open {@code /poll} stream. Lines are written as they come while the connection keeps up;
 * when its write queue is full they wait here, and once more than {@code limit} bytes wait the
 * subscriber is disconnected: server memory never grows because one client stopped reading. The
 * client polls again and gets the current snapshot, the compacted form of what it missed.
 *
 * <p>The backlog line written on subscription does not count against the limit: a large backlog
 * must not disconnect a new subscriber, and it is already bounded by the backlog's size. Lines
 * are shared buffers, never copied per subscriber. Used from its edge's event loop only.
 */
final class Subscriber {
  /** Bytes Netty may hold for a connection before lines wait here instead. */
  static final int WRITE_QUEUE_BYTES = 256 * 1024;

  private final HttpServerResponse response;
  private final HttpConnection connection;
  private final long limit;
  private final Format format;
  /** Writes pre-framed chunks below Vert.x's response; null when lines go through Vert.x ({@link ChunkWriter}). */
  private final ChunkWriter chunks;
  /** Lines waiting for the connection to drain; created the first time it falls behind. */
  private ArrayDeque<Buffer> waiting;
  private long waitingBytes;
  private boolean open = true;
  /** Whether a chunk was written without a flush: {@link #flush()} sends it. */
  private boolean unflushed;
  /** One handler for every write's failure, not one per line. */
  private final Handler<Throwable> writeFailed = error -> open = false;

  Subscriber(HttpServerResponse response, HttpConnection connection, long limit, Format format, ChunkWriter chunks) {
    this.response = response;
    this.connection = connection;
    this.limit = limit;
    this.format = format;
    this.chunks = chunks;
    response.setWriteQueueMaxSize((int) Math.min(WRITE_QUEUE_BYTES, limit));
    response.drainHandler(v -> drain());
  }

  Format format() {
    return format;
  }

  /** The client's address, for log lines; read from the connection when needed, not kept per subscriber. */
  String remote() {
    return String.valueOf(connection.remoteAddress());
  }

  /** Writes the opening of the stream (backlog, or resumed batches); never refused. */
  void start(Buffer snapshot) {
    write(snapshot);
  }

  /** Sends one line; returns false when the subscriber fell more than its limit behind. */
  boolean send(Buffer line) {
    return send(line, null, true);
  }

  /**
   * Sends one line, as {@code chunk} (the same line framed as an HTTP chunk, shared by every
   * subscriber) when this subscriber writes chunks itself and the line need not wait; returns false
   * when the subscriber fell more than its limit behind. Without {@code flush} a chunk written here
   * reaches the socket at the next {@link #flush()} (a line through Vert.x is always flushed, and
   * flushes what waits before it).
   */
  boolean send(Buffer line, BatchFramings framings, boolean flush) {
    if (!open) {
      return true;
    }
    if ((waiting != null && !waiting.isEmpty()) || response.writeQueueFull()) {
      if (waiting == null) {
        waiting = new ArrayDeque<>();
      }
      waiting.add(line);
      waitingBytes += line.length();
      return waitingBytes <= limit;
    }
    if (chunks != null && framings != null) {
      chunks.write(framings.chunk(format), flush);
      unflushed |= !flush;
    } else {
      write(line);
    }
    return true;
  }

  /** Sends the chunks {@link #send} wrote without a flush, if any. */
  void flush() {
    if (unflushed) {
      unflushed = false;
      if (open) {
        chunks.flush();
      }
    }
  }

  private void drain() {
    while (open && waiting != null && !waiting.isEmpty() && !response.writeQueueFull()) {
      Buffer line = waiting.poll();
      waitingBytes -= line.length();
      write(line);
    }
  }

  private void write(Buffer line) {
    // A failed write means the connection is gone; its close handler removes the subscriber.
    response.write(line).onFailure(writeFailed);
  }

  /** Ends the stream cleanly (final chunk): the client sees a finished response and polls again. */
  void end() {
    if (open) {
      open = false;
      waiting = null;
      waitingBytes = 0;
      if (!response.closed()) {
        response.end().onFailure(error -> response.reset());
      }
    }
  }

  /**
   * Drops the connection of a subscriber that fell too far behind, at once: a client that does not
   * read would otherwise keep it until it read what Netty still holds for it.
   */
  void disconnect() {
    open = false;
    waiting = null;
    waitingBytes = 0;
    Disconnect.now(connection);
  }
}
