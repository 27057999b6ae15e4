package org.syncbus.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback whose connections a test can cut at once: a network outage between a
 * client and a node, without touching either.
 */
public final class CuttableProxy {
  private final NetServer server;
  private final NetClient client;
  private final List<NetSocket> sockets = new CopyOnWriteArrayList<>();

  private CuttableProxy(Vertx vertx) {
    this.server = vertx.createNetServer();
    this.client = vertx.createNetClient();
  }

  /** Listens on a free loopback port and forwards every connection to {@code targetPort}. */
  public static Future<CuttableProxy> start(Vertx vertx, int targetPort) {
    CuttableProxy proxy = new CuttableProxy(vertx);
    proxy.server.connectHandler(inbound -> {
      inbound.pause();
      proxy.client.connect(targetPort, TestNode.HOST).onSuccess(outbound -> {
        proxy.sockets.add(inbound);
        proxy.sockets.add(outbound);
        inbound.pipeTo(outbound);
        outbound.pipeTo(inbound);
        inbound.resume();
      }).onFailure(error -> inbound.close());
    });
    return proxy.server.listen(0, TestNode.HOST).map(proxy);
  }

  public int port() {
    return server.actualPort();
  }

  /** Closes every connection that goes through the proxy. */
  public Future<Void> cut() {
    List<NetSocket> open = List.copyOf(sockets);
    sockets.clear();
    return Future.join(open.stream().map(NetSocket::close).toList()).mapEmpty();
  }

  public Future<Void> close() {
    return cut().eventually(server::close).eventually(client::close);
  }
}
