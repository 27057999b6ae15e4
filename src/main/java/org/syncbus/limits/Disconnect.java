package org.syncbus.limits;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.NetSocket;
import org.syncbus.support.NettyChannels;

/**
 * Closes a connection now, dropping whatever it has not written. Vert.x's {@code close()} (and
 * {@code end()}) first flushes what is queued and only then closes: a client that never reads
 * keeps such a connection, its descriptor and its place among the node's connections for ever.
 * So a connection cut for what its client did (too far behind, too slow, a frame too large) is
 * closed at Netty's channel, reached through {@link NettyChannels}. Should that fail, the public
 * {@code close()} is used instead (the cut then waits for the client).
 */
public final class Disconnect {
  private Disconnect() {}

  /** Closes {@code socket} at once. */
  public static void now(NetSocket socket) {
    Channel channel = NettyChannels.of(socket);
    if (channel != null) {
      abort(channel);
    } else {
      socket.close();
    }
  }

  /** Closes {@code connection} at once. */
  public static void now(HttpConnection connection) {
    Channel channel = NettyChannels.of(connection);
    if (channel != null) {
      abort(channel);
    } else {
      connection.close();
    }
  }

  /** Closes {@code channel} at once. */
  public static void now(Channel channel) {
    abort(channel);
  }

  /**
   * An abortive close (a reset, {@code SO_LINGER} 0): what the client has not read is dropped by
   * the system too, instead of lingering in its buffers until the client reads or times out.
   */
  private static void abort(Channel channel) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> abort(channel));
      return;
    }
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException e) {
      // Not a TCP socket (or already closed): a plain close will do.
    }
    // Below the pipeline: Vert.x's handler turns a close into one more write, flushed after the
    // others, which a client that does not read never lets happen.
    channel.unsafe().close(channel.voidPromise());
  }
}
