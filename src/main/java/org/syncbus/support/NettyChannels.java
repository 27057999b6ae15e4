package org.syncbus.support;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The one place that reaches a connection's Netty {@link Channel} through Vert.x internals
 * ({@link NetSocketInternal}, {@link ConnectionBase}): to close a connection below its pipeline
 * ({@code limits.Disconnect}), to write pre-framed chunks to many subscribers at once
 * ({@code http.ChunkWriter}), and to take a connection over from Vert.x once Vert.x has nothing
 * more to do with it (an open stream, {@code http.ChunkWriter#handOver}; a TCP bridge connection,
 * {@code bridge.BridgeSocket}). Should the internals change, {@link #of} answers null, callers use
 * Vert.x's public API instead, and one warning says so; {@code NettyChannelsTest} fails loudly
 * when the internals stop being reachable.
 */
public final class NettyChannels {
  private static final Logger LOG = Logger.getLogger(NettyChannels.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final String VERTX_HANDLER = "handler";

  private NettyChannels() {}

  /** The channel of {@code socket}, or null when Vert.x's internals do not give it. */
  public static Channel of(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      return internal.channelHandlerContext().channel();
    }
    unreachable(socket.getClass());
    return null;
  }

  /** The channel of {@code connection}, or null when Vert.x's internals do not give it. */
  public static Channel of(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      return base.channel();
    }
    unreachable(connection.getClass());
    return null;
  }

  /**
   * The context of Vert.x's own handler (named {@code "handler"}, the one holding Vert.x's
   * connection) when it is the last of {@code pipeline} and every other handler is {@code besides};
   * else null: a pipeline not of the shape expected, not to be taken over.
   */
  public static ChannelHandlerContext vertxHandler(ChannelPipeline pipeline, Predicate<ChannelHandler> besides) {
    ChannelHandlerContext vertx = pipeline.context(VERTX_HANDLER);
    if (vertx == null || pipeline.lastContext() != vertx) {
      return null;
    }
    for (Map.Entry<String, ChannelHandler> entry : pipeline) {
      if (!entry.getKey().equals(VERTX_HANDLER) && !besides.test(entry.getValue())) {
        return null;
      }
    }
    return vertx;
  }

  private static void unreachable(Class<?> type) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warning("connections of type " + type.getName() + " do not expose their Netty channel (Vert.x internals "
          + "changed): cut clients are closed once they read what was written to them, and lines are framed "
          + "per subscriber");
    }
  }
}
