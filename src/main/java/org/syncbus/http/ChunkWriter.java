package org.syncbus.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.syncbus.support.NettyChannels;

/**
 * Writes a batch's line to one subscriber as an HTTP/1.1 chunk framed once for all of them
 * ({@link BatchFramings#chunk}): the same direct buffer goes to every subscriber's channel, entering
 * its pipeline just below Vert.x's response encoder, so nothing is framed, copied or promised per
 * subscriber. Through Vert.x's public write, each line costs a promise, the encoder's chunk framing
 * and a copy of the bytes into a direct buffer, per subscriber.
 *
 * <p>Only after the response's head and first chunk went through Vert.x (the stream's opening), and
 * only for HTTP/1.1 (chunked) requests whose channel {@link NettyChannels} reaches: otherwise there
 * is no writer and the subscriber writes through Vert.x. Either way writes enter the channel's one
 * outbound buffer in the order they are made, on the edge's event loop, so lines written both ways
 * keep their order, and Vert.x's write-queue check ({@code writeQueueFull}) counts them all.
 */
final class ChunkWriter {
  private final ChannelHandlerContext encoder;

  private ChunkWriter(ChannelHandlerContext encoder) {
    this.encoder = encoder;
  }

  /** The writer of {@code request}'s response, or null when its lines must go through Vert.x. */
  static ChunkWriter of(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_1_1) {
      return null;
    }
    Channel channel = NettyChannels.of(request.connection());
    ChannelHandlerContext encoder = channel == null ? null : channel.pipeline().context(HttpResponseEncoder.class);
    return encoder == null ? null : new ChunkWriter(encoder);
  }

  /**
   * Writes {@code chunk} (a complete chunk: size line, data, CRLF), and flushes it to the socket
   * when {@code flush}; otherwise it waits in the channel's outbound buffer for {@link #flush()} (or
   * for any later flush of the channel, Vert.x's included). A write that fails closes the connection,
   * whose close handler removes the subscriber.
   */
  void write(ByteBuf chunk, boolean flush) {
    if (flush) {
      encoder.writeAndFlush(chunk.retainedDuplicate(), encoder.voidPromise());
    } else {
      encoder.write(chunk.retainedDuplicate(), encoder.voidPromise());
    }
  }

  /** Sends what {@link #write} left in the channel's outbound buffer. */
  void flush() {
    encoder.flush();
  }
}
