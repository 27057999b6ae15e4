package org.syncbus.config;

import io.vertx.core.Context;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A node's running configuration and the verticles that follow it: set whole at start and on every
 * reload, and handed to each listener on the listener's own context (its event loop), so that a
 * verticle never sees a configuration change in the middle of one of its turns.
 */
public final class RunningConfig {
  private volatile SyncbusConfig current;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  private record Listener(Context context, Consumer<SyncbusConfig> handler) {}

  public RunningConfig(SyncbusConfig initial) {
    this.current = initial;
  }

  /** The running configuration. */
  public SyncbusConfig get() {
    return current;
  }

  /** Sets the running configuration and hands it to every listener, each on its own context. */
  public void set(SyncbusConfig next) {
    current = next;
    for (Listener listener : listeners) {
      listener.context().runOnContext(v -> listener.handler().accept(next));
    }
  }

  /** Calls {@code handler} on {@code context} with every new running configuration; returns the removal. */
  public Runnable follow(Context context, Consumer<SyncbusConfig> handler) {
    Listener listener = new Listener(context, handler);
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
