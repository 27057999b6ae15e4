package org.syncbus.limits;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Closes a connection now, dropping whatever it has not written. Vert.x's {@code close()} (and
 * {@code end()}) first flushes what is queued and only then closes: a client that never reads
 * keeps such a connection, its descriptor and its place among the node's connections for ever.
 * So a connection cut for what its client did (too far behind, too slow, a frame too large) is
 * closed at Netty's channel.
 *
 * <p>Netty's channel is reached through Vert.x internals ({@link NetSocketInternal},
 * {@link ConnectionBase}) and closed below its pipeline, in this class only. Should they change, the public {@code close()} is
 * used instead (the cut then waits for the client) and one warning says so; {@code DisconnectTest}
 * fails loudly if the internals stop being reachable.
 */
public final class Disconnect {
  private static final Logger LOG = Logger.getLogger(Disconnect.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private Disconnect() {}

  /** Closes {@code socket} at once. */
  public static void now(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      abort(internal.channelHandlerContext().channel());
    } else {
      fallback(socket.getClass());
      socket.close();
    }
  }

  /** Closes {@code connection} at once. */
  public static void now(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      abort(base.channel());
    } else {
      fallback(connection.getClass());
      connection.close();
    }
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

  /** Whether {@link #now} reaches Netty's channel for this connection (tests). */
  static boolean reachesChannel(Object connection) {
    return connection instanceof NetSocketInternal || connection instanceof ConnectionBase;
  }

  private static void fallback(Class<?> type) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warning("connections of type " + type.getName() + " cannot be closed at once (Vert.x internals "
          + "changed); cut clients are closed once they read what was written to them");
    }
  }
}
