package org.syncbus.console;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.syncbus.contract.Addresses;

/**
 * The console's part that runs once per node, whether or not a page is open: it ticks the
 * per-second history every second ({@link QueueRates}), and answers the other nodes of a cluster
 * at this node's own address ({@link #address}) with its subscriber counts ({@link NodeCounts}),
 * which the node serving a page adds up for the cluster's totals. The address is internal: not
 * part of the contract, unreachable through the bridges (they let through queue addresses only).
 */
final class ConsoleVerticle extends VerticleBase {
  private static final long TICK_MILLIS = 1_000;

  private final Console console;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  ConsoleVerticle(Console console) {
    this.console = console;
  }

  /** Where node {@code node} answers with its subscriber counts. */
  static String address(String node) {
    return Addresses.PREFIX + "console.node." + node;
  }

  @Override
  public Future<?> start() {
    console.tick(); // the baseline, before this node's edges serve anything
    timer = vertx.setPeriodic(TICK_MILLIS, id -> console.tick());
    consumer = vertx.eventBus().consumer(address(console.nodeId()), message -> message.reply(console.counts()));
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return consumer.unregister();
  }
}
