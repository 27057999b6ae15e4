package org.syncbus.support;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The base of a handler put last in a connection's pipeline in place of Vert.x's (a connection
 * taken from Vert.x, see {@link NettyChannels}): events meant for Vert.x's handler (its shutdown
 * notice and the like) are dropped, the owner ends its connections itself; an exception (a reset,
 * a failed write) closes the connection, whose close tells the owner.
 */
public abstract class TakenChannelHandler extends ChannelInboundHandlerAdapter {
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    ReferenceCountUtil.release(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Fatal.check(cause);
    ctx.close();
  }
}
