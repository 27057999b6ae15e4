package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.logging.Logger;
import org.syncbus.auth.Access;
import org.syncbus.config.ConfigException;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.http.EdgeResources;
import org.syncbus.limits.ConnectionGate;
import org.syncbus.tls.ServerTls;

/**
 * The TCP event-bus bridge ({@code bridges.tcp}): frames of a 4-byte length and a JSON object,
 * reachable from any language. syncbus speaks the frame protocol itself on vertx-core's
 * {@link NetServer} ({@link TcpBridgeConnection}), rather than through vertx-tcp-eventbus-bridge,
 * so that every connection is one descriptor, counted with the node's connections
 * ({@code limits.maxConnections}, and {@code bridges.tcp.maxConnectionsPerAddress}), and bounded
 * in what it may send, hold and make the node write. What each frame may do is decided by
 * {@link BridgeGuard}.
 *
 * <p>One sweep a second closes connections whose first frame, or a frame begun, is not complete
 * within {@code limits.headerTimeoutSeconds}, or that keep sending frames without reading their
 * answers for as long: a client that connects and sends nothing is closed as on HTTP, while one
 * that authenticated or registered may then stay silent for as long as it likes.
 */
public final class BridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(BridgeVerticle.class.getName());
  private static final long SWEEP_MILLIS = 1000;

  private final RunningConfig running;
  private final Clock clock;
  private final EdgeResources shared;
  private final ServerTls tls;
  private Runnable stopFollowingTls = () -> { };
  private final Set<TcpBridgeConnection> connections = new LinkedHashSet<>();
  private Runnable stopFollowing = () -> { };
  private ConnectionGate perAddress;
  private BridgeMeters meters;
  private BridgeFanout fanout;
  private NetServer server;
  private long sweepTimer = -1;

  /**
   * @param running the node's configuration, followed for keys, queues and limits on this verticle's event loop
   * @param shared what the node's edges share: its connection and body limits, the clients' log
   * @param tls the port's TLS ({@code bridges.tcp.tls}), loaded; {@link ServerTls#plain()} without
   */
  public BridgeVerticle(RunningConfig running, Clock clock, EdgeResources shared, ServerTls tls) {
    this.running = running;
    this.clock = clock;
    this.shared = shared;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    SyncbusConfig.TcpBridge tcp = running.get().bridges().tcp();
    Access access = new Access(vertx, clock, running.get());
    stopFollowing = running.follow(context, access::reconfigure);
    BridgeGuard guard = new BridgeGuard(access);
    meters = new BridgeMeters(shared.metrics());
    fanout = new BridgeFanout(vertx.eventBus(), shared.clientLog());
    long perAddressLimit = tcp.maxConnectionsPerAddress();
    perAddress = new ConnectionGate(Long.MAX_VALUE, perAddressLimit);
    server = vertx.createNetServer(tls.secure(new NetServerOptions().setHost(tcp.host()).setPort(tcp.port())))
        .connectHandler(socket -> accept(socket, guard, access));
    sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
    return server.listen()
        .recover(error -> Future.failedFuture(ConfigException.cannotListen("bridges.tcp", tcp.host(), tcp.port(), error)))
        .onSuccess(s -> {
          stopFollowingTls = tls.follow(s::updateSSLOptions);
          LOG.info(() -> "TCP event-bus bridge on " + tcp.host() + ":" + s.actualPort());
        });
  }

  /** The port the bridge listens on, once started. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    stopFollowing.run();
    stopFollowingTls.run();
    vertx.cancelTimer(sweepTimer);
    return server.close();
  }

  private void accept(NetSocket socket, BridgeGuard guard, Access access) {
    String address = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
    ConnectionGate node = shared.limits().connections();
    ConnectionGate.Verdict verdict = node.admit(address);
    if (verdict == ConnectionGate.Verdict.ADMITTED && perAddress.admit(address) != ConnectionGate.Verdict.ADMITTED) {
      node.release(address);
      verdict = ConnectionGate.Verdict.ADDRESS_FULL;
    }
    if (verdict != ConnectionGate.Verdict.ADMITTED) {
      String setting = verdict == ConnectionGate.Verdict.NODE_FULL ? "limits.maxConnections"
          : "bridges.tcp.maxConnectionsPerAddress";
      shared.clientLog().warn(setting, () -> "bridge connection from " + address + " closed (" + setting + ")");
      shared.metrics().refused("closed", setting, address);
      socket.close();
      return;
    }
    AtomicLong open = shared.metrics().connections(socket.localAddress() == null ? 0 : socket.localAddress().port(), "bridge");
    BridgeSocket taken = BridgeSocket.of(socket);
    TcpBridgeConnection connection = new TcpBridgeConnection(taken, address, vertx, guard, access,
        running::get, shared.limits().bodies(), shared.clientLog(), clock, meters, fanout);
    connections.add(connection);
    open.incrementAndGet();
    connection.start();
    taken.closeHandler(() -> {
      connections.remove(connection);
      node.release(address);
      perAddress.release(address);
      open.decrementAndGet();
      connection.closed();
    });
  }

  private void sweep() {
    long now = System.nanoTime();
    long timeout = running.get().limits().headerTimeoutSeconds() * 1_000_000_000L;
    Map<TcpBridgeConnection, String> overdue = new LinkedHashMap<>();
    for (TcpBridgeConnection connection : connections) {
      String why = connection.overdue(now, timeout);
      if (why != null) {
        overdue.put(connection, why);
      }
    }
    overdue.forEach((connection, why) -> {
      shared.metrics().refused("closed", "limits.headerTimeoutSeconds", connection.address());
      shared.clientLog().warn("limits.headerTimeoutSeconds", () -> "bridge connection from " + connection.address()
          + " closed: " + why + " within limits.headerTimeoutSeconds");
      connection.close();
    });
  }
}
