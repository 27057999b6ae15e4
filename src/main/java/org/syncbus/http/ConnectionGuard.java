package org.syncbus.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.limits.ConnectionGate;
import org.syncbus.limits.Disconnect;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.support.Fatal;
import org.syncbus.support.NettyChannels;
import org.syncbus.support.ThrottledLog;

/**
 * What one edge's connections may hold of it: a place among the node's connections, and time.
 *
 * <p><b>Admission.</b> A new connection is admitted by the node's {@link ConnectionGate}
 * ({@code limits.maxConnections}, {@code limits.maxConnectionsPerAddress}) or closed at once;
 * connections already served are never touched by it.
 *
 * <p><b>Time.</b> A connection is in one of three states, checked by one sweep a second over the
 * edge's connections (a timer per connection would cost memory on every idle subscriber):
 * <ul>
 *   <li><i>waiting for headers</i>, from its opening until its first request's headers are
 *       complete: closed after {@code limits.headerTimeoutSeconds} (a client that trickles its
 *       headers, or sends none);
 *   <li><i>busy</i>, while a request is in progress: its response not ended (a stream,
 *       {@code /poll} or {@code /events}, is busy for its whole life, so it is never idle) or its
 *       body still arriving. A body ({@link #bodyBytes}) must arrive at
 *       {@code limits.minBodyBytesPerSecond} or faster over each window of
 *       {@value #BODY_WINDOW_SECONDS} s, else the request is answered 408 and the connection
 *       closed;
 *   <li><i>idle</i>, between keep-alive requests: closed after {@code http.idleTimeoutSeconds}.
 *       A connection upgraded to a WebSocket is a stream from then on and never idle.
 *       The headers of a later request are not timed apart: Vert.x parses them before anyone
 *       sees them, so such a request has the idle timeout to arrive.
 * </ul>
 * Used from the edge's event loop only (strict thread mode: connections, requests and the sweep
 * share it).
 */
final class ConnectionGuard {
  /** How long a body's pace is measured over: long enough for a client's pauses, short enough to free a slow one. */
  static final long BODY_WINDOW_SECONDS = 3;
  private static final long SWEEP_MILLIS = 1000;

  private final Vertx vertx;
  private final ConnectionGate gate;
  private final Supplier<SyncbusConfig> config;
  private final ThrottledLog log;
  private final BodyTimeout bodyTimeout;
  private final NodeMetrics metrics;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();
  private final IntSupplier port;
  /** Gives back the place of a connection handed over to its stream, when its channel closes: one for all. */
  private final ChannelFutureListener streamClosed = closed -> released(address(closed.channel()));
  /** The count of this edge's open connections; found once the server listens ({@link #port}). */
  private AtomicLong open;
  private long sweepTimer = -1;

  /** Answers a request whose body is too slow, then closes its connection. */
  interface BodyTimeout {
    void refuse(HttpServerRequest request, String why);
  }

  /**
   * One connection's state: its deadlines, its request in progress, its body's pace. Its client's
   * address is not kept here but read from the connection (which keeps it anyway) when needed: every
   * idle subscriber would otherwise keep a copy.
   */
  private static final class Watch {
    final HttpConnection connection;
    final long openedAt;
    HttpServerRequest request;
    long idleSince;
    long bodyWindowStart;
    long bodyWindowBytes;

    Watch(HttpConnection connection, long openedAt) {
      this.connection = connection;
      this.openedAt = openedAt;
    }

    String address() {
      return ConnectionGuard.address(connection);
    }
  }

  /**
   * @param port the port the edge listens on, once it does: its connections are counted under it
   *     (asking each connection its local address would keep that address on every connection)
   */
  ConnectionGuard(Vertx vertx, ConnectionGate gate, Supplier<SyncbusConfig> config, ThrottledLog log,
                  BodyTimeout bodyTimeout, NodeMetrics metrics, IntSupplier port) {
    this.vertx = vertx;
    this.gate = gate;
    this.config = config;
    this.log = log;
    this.bodyTimeout = bodyTimeout;
    this.metrics = metrics;
    this.port = port;
  }

  void start() {
    sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  /** A new connection: admitted and watched, or closed. */
  void onConnection(HttpConnection connection) {
    String address = address(connection);
    ConnectionGate.Verdict verdict = gate.admit(address);
    if (verdict != ConnectionGate.Verdict.ADMITTED) {
      refuseConnection(connection, address, verdict);
      return;
    }
    watches.put(connection, new Watch(connection, System.nanoTime()));
    if (open == null) {
      open = metrics.connections(port.getAsInt(), "http");
    }
    open.incrementAndGet();
    connection.closeHandler(v -> closed(connection));
    connection.exceptionHandler(Fatal::check);
  }

  private void closed(HttpConnection connection) {
    watches.remove(connection);
    released(address(connection));
  }

  /** The client's address as the node's {@link ConnectionGate} counts it; the same on every call. */
  private static String address(HttpConnection connection) {
    return connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
  }

  /** The same address as {@link #address(HttpConnection)}, read from the connection's channel. */
  private static String address(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
        ? remote.getAddress().getHostAddress() : "unknown";
  }

  /**
   * {@code connection}'s stream took its channel from Vert.x ({@link ChunkWriter#handOver}): a
   * stream is never timed, and the connection's close no longer comes through Vert.x, so its
   * channel's close gives its place back. Vert.x's connection object is not kept.
   */
  void handedOver(HttpConnection connection) {
    Channel channel = NettyChannels.of(connection);
    if (watches.remove(connection) != null && channel != null) {
      channel.closeFuture().addListener(streamClosed);
    }
  }

  private void released(String address) {
    gate.release(address);
    open.decrementAndGet();
  }

  private void refuseConnection(HttpConnection connection, String address, ConnectionGate.Verdict verdict) {
    metrics.refused("closed", verdict == ConnectionGate.Verdict.NODE_FULL ? "limits.maxConnections"
        : "limits.maxConnectionsPerAddress", address);
    if (verdict == ConnectionGate.Verdict.NODE_FULL) {
      log.warn("limits.maxConnections", () -> "connection from " + address + " closed: " + gate.max()
          + " connections open (limits.maxConnections)");
    } else {
      log.warn("limits.maxConnectionsPerAddress", () -> "connection from " + address
          + " closed: too many open from that address (limits.maxConnectionsPerAddress)");
    }
    connection.close();
  }

  /**
   * A request's headers are complete: its connection is busy until the request and its response
   * end. A WebSocket upgrade (the SockJS bridge) makes the connection a stream for good: it is no
   * longer watched for time (SockJS keeps its sessions alive with heartbeats of its own), only
   * counted.
   */
  void onRequest(HttpServerRequest request) {
    if (request.canUpgradeToWebSocket()) {
      watches.remove(request.connection());
      return;
    }
    Watch watch = watches.get(request.connection());
    if (watch != null) {
      watch.request = request;
      watch.idleSince = 0;
      watch.bodyWindowStart = 0;
      watch.bodyWindowBytes = 0;
    }
  }

  /**
   * {@code bytes} of {@code request}'s body arrived (counted for bodies the edge reads itself).
   * Found by connection: vertx-web hands handlers a wrapper of the request the server saw.
   */
  void bodyBytes(HttpServerRequest request, long bytes) {
    Watch watch = watches.get(request.connection());
    if (watch != null && watch.request != null) {
      if (watch.bodyWindowStart == 0) {
        watch.bodyWindowStart = System.nanoTime();
      }
      watch.bodyWindowBytes += bytes;
    }
  }

  /** Marks {@code request}'s body as being read, so that its pace is measured from now. */
  void bodyStarted(HttpServerRequest request) {
    bodyBytes(request, 0);
  }

  int watched() {
    return watches.size();
  }

  private void sweep() {
    long now = System.nanoTime();
    SyncbusConfig.Limits limits = config.get().limits();
    long headerTimeout = seconds(limits.headerTimeoutSeconds());
    long idleTimeout = seconds(config.get().http().idleTimeoutSeconds());
    long window = seconds(BODY_WINDOW_SECONDS);
    List<Watch> expired = new ArrayList<>();
    List<Watch> slow = new ArrayList<>();
    for (Watch watch : watches.values()) {
      HttpServerRequest request = watch.request;
      if (request == null) {
        if (now - watch.openedAt > headerTimeout) {
          expired.add(watch);
        }
      } else if (ended(request)) {
        if (watch.idleSince == 0) {
          watch.idleSince = now;
        } else if (now - watch.idleSince > idleTimeout) {
          expired.add(watch);
        }
      } else if (watch.bodyWindowStart != 0 && !request.isEnded() && now - watch.bodyWindowStart >= window) {
        long needed = limits.minBodyBytesPerSecond() * BODY_WINDOW_SECONDS;
        if (watch.bodyWindowBytes < needed) {
          slow.add(watch);
        } else {
          watch.bodyWindowStart = now;
          watch.bodyWindowBytes = 0;
        }
      }
    }
    log.flush();
    expired.forEach(this::closeExpired);
    slow.forEach(watch -> refuseSlowBody(watch, limits.minBodyBytesPerSecond()));
  }

  private static boolean ended(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    return request.isEnded() && (response.ended() || response.closed());
  }

  private void closeExpired(Watch watch) {
    if (watch.request == null) {
      metrics.refused("closed", "limits.headerTimeoutSeconds", watch.address());
      log.warn("limits.headerTimeoutSeconds", () -> "connection from " + watch.address()
          + " closed: no complete request headers within limits.headerTimeoutSeconds");
    }
    watches.remove(watch.connection);
    Disconnect.now(watch.connection);
  }

  private void refuseSlowBody(Watch watch, long minBytesPerSecond) {
    log.warn("limits.minBodyBytesPerSecond", () -> "request body from " + watch.address()
        + " refused: slower than " + minBytesPerSecond + " bytes/s (limits.minBodyBytesPerSecond)");
    watches.remove(watch.connection);
    bodyTimeout.refuse(watch.request, "slower than " + minBytesPerSecond + " bytes/s (limits.minBodyBytesPerSecond)");
  }

  private static long seconds(long seconds) {
    return seconds * 1_000_000_000L;
  }
}
