package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import org.syncbus.limits.Disconnect;
import org.syncbus.support.Fatal;
import java.util.ArrayDeque;

/**
 * One open stream ({@code /poll} or {@code /events}). Lines are written as they come while the
 * connection keeps up; when it does not take more they wait here, and once more than {@code limit}
 * bytes wait the subscriber is disconnected: server memory never grows because one client stopped
 * reading. The client polls again and gets the current snapshot, the compacted form of what it
 * missed.
 *
 * <p>The stream opens through Vert.x's response (head, then backlog or resumed batches). Once that
 * opening reached the socket, the stream takes its channel over ({@link ChunkWriter#handOver}) and
 * lets go of Vert.x's response and connection: from then on it writes, drains, ends and is told of
 * its close through its own {@link ChunkWriter} and {@link StreamChannel}. A stream without a
 * {@link ChunkWriter} (HTTP/1.0, internals out of reach) stays with Vert.x for its whole life.
 *
 * <p>The opening does not count against the limit: a large backlog must not disconnect a new
 * subscriber, and it is already bounded by the backlog's size. Lines are shared buffers, never
 * copied per subscriber while the connection keeps up. Used from its edge's event loop only.
 */
final class Subscriber {
  /** Bytes the channel may hold for a connection before lines wait here instead. */
  static final int WRITE_QUEUE_BYTES = 256 * 1024;

  private final QueueEdge edge;
  private final long limit;
  private final Format format;
  /** Writes pre-framed chunks, and the stream's own lines once handed over; null when lines go through Vert.x. */
  private final ChunkWriter chunks;
  /** Vert.x's response and connection, until the hand-over. */
  private HttpServerResponse response;
  private HttpConnection connection;
  /** The opening's last write through Vert.x: once it succeeds the stream is handed over. */
  private Future<Void> opening;
  /** Lines waiting for the connection to drain; created the first time it falls behind. */
  private ArrayDeque<Buffer> waiting;
  private long waitingBytes;
  private boolean open = true;
  /** Whether a chunk was written without a flush: {@link #flush()} sends it. */
  private boolean unflushed;

  Subscriber(QueueEdge edge, HttpServerResponse response, HttpConnection connection, long limit, Format format,
             ChunkWriter chunks) {
    this.edge = edge;
    this.response = response;
    this.connection = connection;
    this.limit = limit;
    this.format = format;
    this.chunks = chunks;
    response.setWriteQueueMaxSize(writeQueueBytes());
    response.drainHandler(v -> drain());
    response.closeHandler(v -> closed());
  }

  Format format() {
    return format;
  }

  /** The client's address, for log lines; read from the connection when needed, not kept per subscriber. */
  String remote() {
    return connection != null ? String.valueOf(connection.remoteAddress()) : chunks.remote();
  }

  /** Writes (part of) the opening of the stream: backlog, or resumed batches; never refused. */
  void start(Buffer snapshot) {
    opening = write(snapshot);
  }

  /** The opening is all written: the stream takes its channel over once it reached the socket. */
  void opened() {
    if (chunks != null && opening != null) {
      opening.onSuccess(v -> handOver());
    }
  }

  private void handOver() {
    if (open && connection != null && chunks.handOver(new StreamChannel(this), writeQueueBytes())) {
      response = null;
      connection = null;
      opening = null;
      drain();
    }
  }

  private int writeQueueBytes() {
    return (int) Math.min(WRITE_QUEUE_BYTES, limit);
  }

  /** Sends one line; returns false when the subscriber fell more than its limit behind. */
  boolean send(Buffer line) {
    return send(line, null, true);
  }

  /**
   * Sends one line, as {@code chunk} (the same line framed as an HTTP chunk, shared by every
   * subscriber) when this subscriber writes chunks itself and the line need not wait; returns false
   * when the subscriber fell more than its limit behind. Without {@code flush} a chunk written here
   * reaches the socket at the next {@link #flush()} (a line written otherwise is always flushed,
   * and flushes what waits before it).
   */
  boolean send(Buffer line, BatchFramings framings, boolean flush) {
    if (!open) {
      return true;
    }
    if ((waiting != null && !waiting.isEmpty()) || writeQueueFull()) {
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

  /** The connection takes more: lines that waited go out, in order, as far as it takes them. */
  void drain() {
    while (open && waiting != null && !waiting.isEmpty() && !writeQueueFull()) {
      Buffer line = waiting.poll();
      waitingBytes -= line.length();
      write(line);
    }
  }

  private boolean writeQueueFull() {
    return response != null ? response.writeQueueFull() : !chunks.writable();
  }

  private Future<Void> write(Buffer line) {
    if (response == null) {
      chunks.write(line, true);
      return null;
    }
    // A failed write means the connection is gone; its close removes the subscriber.
    return response.write(line).onFailure(error -> open = false);
  }

  /**
   * Ends the stream cleanly (final chunk): the client sees a finished response and polls again. A
   * stream whose head said {@code Connection: close} (one with a {@link ChunkWriter}) then closes.
   */
  void end() {
    if (open) {
      open = false;
      waiting = null;
      waitingBytes = 0;
      if (response == null) {
        chunks.end(edge.endTimeoutMillis(), () -> edge.endNotRead(this));
      } else if (!response.closed()) {
        HttpServerResponse ending = response;
        HttpConnection served = connection;
        ending.end().onComplete(ended -> {
          if (ended.failed()) {
            ending.reset();
          } else if (chunks != null) {
            served.close().onFailure(Fatal::check);
          }
        });
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
    if (connection == null) {
      chunks.abort();
    } else {
      Disconnect.now(connection);
    }
  }

  /** The connection closed (either side): the edge forgets the subscriber. */
  void closed() {
    open = false;
    edge.closed(this);
  }
}
