package org.syncbus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.syncbus.config.SyncbusConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the verticles of one node (one Vert.x instance) share: the node's id, which copy of the main
 * verticle deploys the queue owners (with {@code -instances N} there are N copies and must still be
 * one owner per queue), and the count of open subscribers per queue across all edge instances.
 */
public final class NodeState implements Shareable {
  private static final String MAP = "syncbus.node";
  private static final String KEY = "state";

  private final String nodeId;
  private final AtomicBoolean ownersClaimed = new AtomicBoolean();
  private final AtomicBoolean codecsRegistered = new AtomicBoolean();
  private final ConcurrentHashMap<String, AtomicInteger> subscribers = new ConcurrentHashMap<>();
  private volatile int httpPort = -1;
  private volatile SyncbusConfig config;
  private volatile Runnable reloadTrigger = () -> { };
  private final List<ConfigListener> configListeners = new CopyOnWriteArrayList<>();

  /** A verticle that follows configuration changes, on its own context. */
  private record ConfigListener(Context context, Consumer<SyncbusConfig> handler) {}

  private NodeState(String nodeId) {
    this.nodeId = nodeId;
  }

  /** The state of {@code vertx}'s node, created by the first caller. */
  public static NodeState of(Vertx vertx) {
    LocalMap<String, NodeState> map = vertx.sharedData().getLocalMap(MAP);
    NodeState existing = map.get(KEY);
    if (existing != null) {
      return existing;
    }
    // In a cluster, the node id is the cluster's own, so that owners can be matched with members.
    String nodeId = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : UUID.randomUUID().toString();
    NodeState fresh = new NodeState(nodeId);
    NodeState raced = map.putIfAbsent(KEY, fresh);
    return raced == null ? fresh : raced;
  }

  public String nodeId() {
    return nodeId;
  }

  /** True for exactly one caller until {@link #releaseOwners()}: that one deploys the owners. */
  public boolean claimOwners() {
    return ownersClaimed.compareAndSet(false, true);
  }

  public void releaseOwners() {
    ownersClaimed.set(false);
  }

  /** True for exactly one caller: that one registers the node's event-bus codecs. */
  public boolean claimCodecs() {
    return codecsRegistered.compareAndSet(false, true);
  }

  /** The port the HTTP edges listen on (the chosen one when configured as 0), or -1 before. */
  public int httpPort() {
    return httpPort;
  }

  public void httpPort(int port) {
    httpPort = port;
  }

  /** The running configuration, once started. */
  public SyncbusConfig config() {
    return config;
  }

  /** Sets the running configuration and hands it to every listener, each on its own context. */
  public void config(SyncbusConfig next) {
    config = next;
    for (ConfigListener listener : configListeners) {
      listener.context().runOnContext(v -> listener.handler().accept(next));
    }
  }

  /** Calls {@code handler} on {@code context} with every new running configuration; returns the removal. */
  public Runnable onConfig(Context context, Consumer<SyncbusConfig> handler) {
    ConfigListener listener = new ConfigListener(context, handler);
    configListeners.add(listener);
    return () -> configListeners.remove(listener);
  }

  /** What {@link #reload()} does: set by whoever watches the configuration file. */
  public void reloadTrigger(Runnable trigger) {
    reloadTrigger = trigger;
  }

  /** Reads the configuration file now (SIGHUP). */
  public void reload() {
    reloadTrigger.run();
  }

  /** The node-wide count of open subscribers of {@code queue}. */
  public AtomicInteger subscribers(String queue) {
    return subscribers.computeIfAbsent(queue, name -> new AtomicInteger());
  }
}
