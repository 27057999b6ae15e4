package org.syncbus.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetSocket;
import org.syncbus.limits.Disconnect;
import org.syncbus.support.NettyChannels;
import org.syncbus.support.TakenChannelHandler;

/**
 * What a TCP bridge connection needs of its socket: bytes in, frames out (each told when the
 * socket took it), reading paused and resumed, its close, and an abortive cut.
 *
 * <p>Vert.x's {@link NetSocket} keeps, for every connection, a write queue made for writers on other
 * threads (about 5 KB, most of an idle bridge client's cost), which a connection written only from
 * its own event loop never uses. So {@link #of} takes the connection's Netty channel from Vert.x
 * when the connection is accepted, before anything is read or written: Vert.x's handler, holding
 * the socket, is replaced by this class's {@link ChannelSocket}. When the channel is out of reach
 * or its pipeline is not of the shape Vert.x 5 builds in the clear (Vert.x's handler last, the
 * accepting initializer), the connection keeps its {@link NetSocket} ({@link VertxSocket});
 * {@code BridgeSocketTest} fails loudly if that becomes the case.
 *
 * <p>A TLS connection keeps its {@link NetSocket}: Vert.x accepts it from inside the TLS handler's
 * handshake-completion event, and taking the channel over there closed about one connection in
 * thirty under load (the client's side closed right after its handshake; not understood). Taking
 * it over later would need Vert.x's socket to hand over what it read and queued meanwhile.
 */
interface BridgeSocket {
  /** The socket of a connection just accepted: its channel, taken from Vert.x, or else Vert.x's socket. */
  static BridgeSocket of(NetSocket socket) {
    Channel channel = NettyChannels.of(socket);
    // In the clear only: besides Vert.x's handler, the initializer accepting the connection (it
    // takes itself out once the connection is set up) and the chunked writer; no TLS.
    ChannelHandlerContext vertx = channel == null ? null : NettyChannels.vertxHandler(channel.pipeline(),
        handler -> handler instanceof ChannelInitializer || handler instanceof ChunkedWriteHandler);
    if (vertx == null) {
      return new VertxSocket(socket);
    }
    ChannelSocket taken = new ChannelSocket();
    channel.pipeline().replace(vertx.handler(), "bridge", taken);
    return taken;
  }

  /** Hands every byte the client sends to {@code data}, in order, while reading is not paused. */
  void handler(Handler<Buffer> data);

  /** Runs {@code closed} once, when the connection closes (either side). */
  void closeHandler(Runnable closed);

  /** Writes {@code frame} (perhaps shared with other connections) and flushes it; {@code done} runs once the socket took it or failed to. */
  void write(Buffer frame, Runnable done);

  /** Stops reading from the client (what was read already may still arrive). */
  void pause();

  void resume();

  /** Closes the connection at once, dropping what it has not written ({@link Disconnect}). */
  void abort();

  /** Whether the connection's channel was taken from Vert.x. */
  boolean taken();

  /** The connection's channel, taken from Vert.x: this is the last handler of its pipeline. */
  final class ChannelSocket extends TakenChannelHandler implements BridgeSocket {
    private ChannelHandlerContext context;
    private Handler<Buffer> data;
    private Runnable closed;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (data != null && msg instanceof ByteBuf bytes) {
          data.handle(Buffer.buffer(ByteBufUtil.getBytes(bytes)));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Runnable then = closed;
      closed = null;
      if (then != null) {
        then.run();
      }
    }

    @Override
    public void handler(Handler<Buffer> data) {
      this.data = data;
    }

    @Override
    public void closeHandler(Runnable closed) {
      this.closed = closed;
    }

    @Override
    public void write(Buffer frame, Runnable done) {
      ChannelPromise promise = context.newPromise();
      promise.addListener(written -> done.run());
      context.writeAndFlush(((BufferInternal) frame).getByteBuf(), promise);
    }

    @Override
    public void pause() {
      context.channel().config().setAutoRead(false);
    }

    @Override
    public void resume() {
      context.channel().config().setAutoRead(true);
    }

    @Override
    public void abort() {
      Disconnect.now(context.channel());
    }

    @Override
    public boolean taken() {
      return true;
    }
  }

  /** Vert.x's socket, when the channel could not be taken. */
  final class VertxSocket implements BridgeSocket {
    private final NetSocket socket;

    VertxSocket(NetSocket socket) {
      this.socket = socket;
      socket.exceptionHandler(error -> Disconnect.now(socket));
    }

    @Override
    public void handler(Handler<Buffer> data) {
      socket.handler(data);
    }

    @Override
    public void closeHandler(Runnable closed) {
      socket.closeHandler(v -> closed.run());
    }

    @Override
    public void write(Buffer frame, Runnable done) {
      socket.write(frame).onComplete(written -> done.run());
    }

    @Override
    public void pause() {
      socket.pause();
    }

    @Override
    public void resume() {
      socket.resume();
    }

    @Override
    public void abort() {
      Disconnect.now(socket);
    }

    @Override
    public boolean taken() {
      return false;
    }
  }
}
