package org.syncbus.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.syncbus.limits.Disconnect;
import org.syncbus.support.NettyChannels;

/**
 * Writes a stream's lines as HTTP/1.1 chunks straight into its channel, and takes the channel over
 * from Vert.x once the stream has opened.
 *
 * <p><b>Chunks framed once.</b> A batch's line is framed as a chunk once for all subscribers
 * ({@link BatchFramings#chunk}): the same direct buffer goes to every subscriber's channel, so
 * nothing is framed, copied or promised per subscriber. Through Vert.x's public write, each line
 * costs a promise, the encoder's chunk framing and a copy of the bytes, per subscriber. Until the
 * hand-over, chunks enter the pipeline just below Vert.x's response encoder; Vert.x's own writes
 * (the head, the opening) and these enter the channel's one outbound buffer in the order they are
 * made, on the edge's event loop, so they keep their order.
 *
 * <p><b>Hand-over.</b> An open stream keeps nothing of HTTP but its channel: its request is read,
 * its head written, and every later byte is a chunk. Yet Vert.x keeps, for each, a connection, a
 * request and a response with their header maps, a request decoder with its parse buffers and a
 * response encoder: more than half of what an idle subscriber costs. So once the stream's opening
 * reached the socket, {@link #handOver} takes those out of the channel's pipeline and puts a
 * {@link StreamChannel} in their place; from then on this writer is the stream's only writer: its
 * lines, its end (the final chunk, then the connection closes: the head said
 * {@code Connection: close}, so no client waits to reuse it) and its cut.
 *
 * <p>Only for HTTP/1.1 (chunked) requests whose channel {@link NettyChannels} reaches, and only a
 * pipeline of the shape Vert.x 5 builds (optional TLS, the request decoder, the response encoder,
 * Vert.x's handler): otherwise there is no writer, or no hand-over, and the stream stays with
 * Vert.x. {@code ChunkWriterTest} fails loudly if that stops being so.
 */
final class ChunkWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
      Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

  /** Where chunks enter the pipeline: below Vert.x's encoder, then the {@link StreamChannel}. */
  private ChannelHandlerContext context;
  /** Vert.x's connection, until the hand-over. */
  private HttpConnection connection;
  /** Told of the hand-over, with the connection Vert.x no longer serves; null after it. */
  private Consumer<HttpConnection> handedOver;

  private ChunkWriter(ChannelHandlerContext context, HttpConnection connection, Consumer<HttpConnection> handedOver) {
    this.context = context;
    this.connection = connection;
    this.handedOver = handedOver;
  }

  /**
   * The writer of {@code request}'s response, or null when its lines must go through Vert.x.
   * {@code handedOver} is told when Vert.x stops serving the connection ({@link #handOver}).
   */
  static ChunkWriter of(HttpServerRequest request, Consumer<HttpConnection> handedOver) {
    if (request.version() != HttpVersion.HTTP_1_1) {
      return null;
    }
    Channel channel = NettyChannels.of(request.connection());
    ChannelHandlerContext encoder = channel == null ? null : channel.pipeline().context(HttpResponseEncoder.class);
    return encoder == null ? null : new ChunkWriter(encoder, request.connection(), handedOver);
  }

  /**
   * Writes {@code chunk} (a complete chunk: size line, data, CRLF), and flushes it to the socket
   * when {@code flush}; otherwise it waits in the channel's outbound buffer for {@link #flush()} (or
   * for any later flush of the channel, Vert.x's included). A write that fails closes the connection,
   * whose close removes the subscriber.
   */
  void write(ByteBuf chunk, boolean flush) {
    if (flush) {
      context.writeAndFlush(chunk.retainedDuplicate(), context.voidPromise());
    } else {
      context.write(chunk.retainedDuplicate(), context.voidPromise());
    }
  }

  /** {@code line} as one HTTP/1.1 chunk (hex size, CRLF, the line, CRLF) in a direct buffer of {@code allocator}'s. */
  static ByteBuf chunk(Buffer line, ByteBufAllocator allocator) {
    byte[] size = Integer.toHexString(line.length()).getBytes(StandardCharsets.US_ASCII);
    return allocator.directBuffer(size.length + line.length() + 4)
        .writeBytes(size).writeBytes(CRLF).writeBytes(line.getBytes()).writeBytes(CRLF);
  }

  /** Writes {@code line} framed as a chunk for this stream alone (keep-alive comments, lines that waited). */
  void write(Buffer line, boolean flush) {
    ByteBuf chunk = chunk(line, context.alloc());
    if (flush) {
      context.writeAndFlush(chunk, context.voidPromise());
    } else {
      context.write(chunk, context.voidPromise());
    }
  }

  /** Sends what {@link #write} left in the channel's outbound buffer. */
  void flush() {
    context.flush();
  }

  /** Whether the channel takes more now (below its high-water mark); else wait for {@link StreamChannel}'s word. */
  boolean writable() {
    return context.channel().isWritable();
  }

  /**
   * Takes the channel from Vert.x: its decoder, encoder and handler out, {@code stream} in, reading
   * on (Vert.x pauses a connection whose client sends a request while a response is in progress: a
   * paused stream would never see its client leave). Bytes the client sends from now on are dropped
   * by {@code stream}. Returns false, changing nothing, when the pipeline is not of the known shape.
   *
   * @param writeQueueBytes the outbound bytes above which the channel is not {@link #writable()}
   */
  boolean handOver(ChannelHandler stream, int writeQueueBytes) {
    ChannelPipeline pipeline = context.pipeline();
    ChannelHandlerContext decoder = pipeline.context(HttpRequestDecoder.class);
    ChannelHandlerContext vertx = NettyChannels.vertxHandler(pipeline, handler -> handler instanceof SslHandler
        || handler instanceof HttpRequestDecoder || handler instanceof HttpResponseEncoder);
    if (context.isRemoved() || decoder == null || vertx == null) {
      return false;
    }
    Channel channel = context.channel();
    // Vert.x's handler first: a decoder taken out hands what it holds of a next request to the
    // handler after it, which must be the stream's (it drops it), not Vert.x's.
    pipeline.replace(vertx.handler(), "stream", stream);
    pipeline.remove(context.handler());
    pipeline.remove(decoder.handler());
    context = pipeline.context(stream);
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueBytes / 2, writeQueueBytes));
    channel.config().setAutoRead(true);
    Consumer<HttpConnection> listener = handedOver;
    HttpConnection served = connection;
    handedOver = null;
    connection = null;
    listener.accept(served);
    return true;
  }


  /**
   * Ends a handed-over stream: the final chunk, then the connection closes once it is written. A
   * client that has not read it (and what was before it) within {@code timeoutMillis} is cut
   * ({@link #abort}), after {@code notRead} runs: nothing else times a stream's connection.
   */
  void end(long timeoutMillis, Runnable notRead) {
    Channel channel = context.channel();
    context.writeAndFlush(LAST_CHUNK.duplicate()).addListener(ChannelFutureListener.CLOSE);
    ScheduledFuture<?> cut = context.executor().schedule(() -> {
      notRead.run();
      abort();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> cut.cancel(false));
  }

  /** Closes a handed-over stream's connection at once, dropping what it has not written. */
  void abort() {
    Disconnect.now(context.channel());
  }

  /** The client's address and port, as Vert.x writes them, for log lines. */
  String remote() {
    return context.channel().remoteAddress() instanceof InetSocketAddress address
        ? address.getAddress().getHostAddress() + ":" + address.getPort()
        : String.valueOf(context.channel().remoteAddress());
  }
}
