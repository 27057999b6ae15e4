package org.syncbus.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.syncbus.support.TakenChannelHandler;

/**
 * The last handler of a stream's channel once {@link ChunkWriter#handOver} took it from Vert.x:
 * tells its {@link Subscriber} when the channel closes and when it drains, and drops whatever the
 * client sends (a stream reads no more requests: its head said {@code Connection: close}). Reading
 * goes on, so that a client's leaving is seen at once. One per stream, on the edge's event loop.
 */
final class StreamChannel extends TakenChannelHandler {
  private final Subscriber subscriber;

  StreamChannel(Subscriber subscriber) {
    this.subscriber = subscriber;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      subscriber.drain();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    subscriber.closed();
  }
}
