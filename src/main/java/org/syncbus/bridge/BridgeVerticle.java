package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.logging.Logger;
import org.syncbus.auth.Access;
import org.syncbus.config.RunningConfig;
import java.time.Clock;
import org.syncbus.config.ConfigException;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.tls.ServerTls;

/**
 * The TCP event-bus bridge ({@code bridges.tcp}): frames of a 4-byte length and a JSON object,
 * reachable from any language. What each frame may do is decided by {@link BridgeGuard}.
 *
 * <p>Clients connect to a frame filter in front of the bridge of {@code vertx-tcp-eventbus-bridge}
 * (which listens on an ephemeral loopback port): that bridge logs and drops a frame that is not
 * JSON, and a frame of unknown type makes it throw on every later read of the connection, which
 * then hangs. The filter answers such frames with an {@code err} frame itself and passes every
 * other frame, byte for byte; the bridge's frames go back to the client untouched.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BridgeVerticle.class.getName());
  private static final Set<String> FRAME_TYPES = Set.of("send", "publish", "register", "unregister", "ping");
  /** A larger frame is refused and its connection closed: nothing legitimate is that big. */
  private static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

  private final RunningConfig running;
  private final Clock clock;
  private final ServerTls tls;
  private Runnable stopFollowing = () -> { };
  private Runnable stopFollowingTls = () -> { };
  private TcpEventBusBridge bridge;
  private NetServer front;
  private NetClient backend;
  private int bridgePort;

  /**
   * @param running the node's configuration, followed for keys and queues on this verticle's event loop
   * @param tls the port's TLS ({@code bridges.tcp.tls}), loaded; {@link ServerTls#plain()} without
   */
  public BridgeVerticle(RunningConfig running, Clock clock, ServerTls tls) {
    this.running = running;
    this.clock = clock;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    SyncbusConfig.TcpBridge tcp = running.get().bridges().tcp();
    Access access = new Access(vertx, clock, running.get());
    stopFollowing = running.follow(context, access::reconfigure);
    BridgeGuard guard = new BridgeGuard(access);
    bridge = TcpEventBusBridge.create(vertx, BridgeGuard.permit(new BridgeOptions()), new NetServerOptions(),
        (BridgeEvent event) -> guard.handle(event, (refused, frame) -> refused.socket().write(frame(frame))));
    backend = vertx.createNetClient();
    front = vertx.createNetServer(tls.secure(new NetServerOptions())).connectHandler(this::filter);
    return listenInternally(3)
        .compose(v -> front.listen(tcp.port(), tcp.host()))
        .recover(error -> Future.failedFuture(new ConfigException("bridges.tcp.port: cannot listen on "
            + tcp.host() + ":" + tcp.port() + " (" + error.getMessage() + ")")))
        .onSuccess(s -> stopFollowingTls = tls.follow(s::updateSSLOptions))
        .onSuccess(s -> LOG.info(() -> "TCP event-bus bridge on " + tcp.host() + ":" + s.actualPort()));
  }

  /**
   * Binds the bridge to a free loopback port. It cannot say which port it got when given 0, so a
   * free one is found first (on a worker: it is a blocking bind), and another tried should it be
   * taken meanwhile.
   */
  private Future<Void> listenInternally(int attempts) {
    return vertx.executeBlocking(() -> {
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      }
    }).compose(port -> bridge.listen(port, "127.0.0.1").map(b -> {
      bridgePort = port;
      return (Void) null;
    })).recover(error -> attempts > 1 ? listenInternally(attempts - 1) : Future.failedFuture(error));
  }

  @Override
  public Future<?> stop() {
    stopFollowing.run();
    stopFollowingTls.run();
    return front.close().eventually(bridge::close).eventually(backend::close);
  }

  private void filter(NetSocket client) {
    client.pause();
    backend.connect(bridgePort, "127.0.0.1").onSuccess(upstream -> {
      upstream.pipeTo(client);
      RecordParser frames = RecordParser.newFixed(4);
      int[] length = {-1};
      frames.handler(chunk -> {
        if (length[0] < 0) {
          length[0] = chunk.getInt(0);
          if (length[0] < 0 || length[0] > MAX_FRAME_BYTES) {
            client.write(frame(err("frame_too_large")));
            client.close();
            return;
          }
          frames.fixedSizeMode(Math.max(length[0], 1));
          if (length[0] == 0) {
            length[0] = -1;
            frames.fixedSizeMode(4);
            client.write(frame(err("invalid_json")));
          }
        } else {
          length[0] = -1;
          frames.fixedSizeMode(4);
          forward(client, upstream, chunk);
        }
      });
      client.handler(frames);
      client.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> client.close());
      client.resume();
    }).onFailure(error -> client.close());
  }

  private static void forward(NetSocket client, NetSocket upstream, Buffer json) {
    String problem = problem(json);
    if (problem != null) {
      client.write(frame(err(problem)));
    } else {
      upstream.write(Buffer.buffer(json.length() + 4).appendInt(json.length()).appendBuffer(json));
    }
  }

  private static String problem(Buffer json) {
    try {
      Object type = new JsonObject(json).getValue("type");
      return type instanceof String name && FRAME_TYPES.contains(name) ? null : "unknown_type";
    } catch (DecodeException | ClassCastException e) {
      return "invalid_json";
    }
  }

  private static JsonObject err(String message) {
    return new JsonObject().put("type", "err").put("message", message);
  }

  /** A TCP bridge frame: the JSON's length, big-endian, then the JSON. */
  static Buffer frame(JsonObject json) {
    byte[] bytes = json.encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(bytes.length + 4).appendInt(bytes.length).appendBytes(bytes);
  }
}
