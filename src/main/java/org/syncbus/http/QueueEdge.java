package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.syncbus.Addresses;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.owner.StreamEvent;
import org.syncbus.owner.SyncReply;
import org.syncbus.queue.Key;
import org.syncbus.queue.Update;

/**
 * One queue as one edge instance serves it: a mirror of the owner's backlog and the subscribers
 * connected to this instance.
 *
 * <p><b>Ordering.</b> The mirror follows the owner's internal stream once per edge instance (not
 * one consumer per connection) and applies each batch in seq order. A new subscriber receives the
 * mirror's snapshot and joins the subscriber set in one event-loop turn, and a batch is applied to
 * the mirror and written to every subscriber in one turn, so every subscriber receives the backlog
 * and then every later batch exactly once, in order.
 *
 * <p><b>Resynchronisation.</b> The mirror starts unsynchronised: it registers on the stream, then
 * asks the owner for its backlog ({@code sync}), keeping the batches that arrive meanwhile and
 * applying those after the backlog's seq. A gap in the seq numbers, or a reset notice (the owner
 * restarted its history), makes it end every open stream (clients poll again and get the new
 * backlog: PROTOCOL.md allows the server to end a stream at any time) and synchronise again.
 *
 * <p><b>Encode once.</b> Records are kept as the owner's encoded update elements; the snapshot
 * line is their concatenation, built once per seq and shared by every subscriber until the next
 * batch. Used from its edge's event loop only.
 */
final class QueueEdge {
  private static final Logger LOG = Logger.getLogger(QueueEdge.class.getName());
  private static final long SYNC_TIMEOUT_MILLIS = 10_000;
  private static final long RETRY_MIN_MILLIS = 50;
  private static final long RETRY_MAX_MILLIS = 2_000;
  private static final int MAX_PENDING = 100_000;

  private final Vertx vertx;
  private final SyncbusConfig.Queue config;
  private final long subscriberLimit;
  private final AtomicInteger nodeSubscribers;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final LinkedHashMap<Key, byte[]> records = new LinkedHashMap<>();
  private final List<StreamEvent> pending = new ArrayList<>();
  private MessageConsumer<StreamEvent> consumer;

  private boolean synced;
  private boolean syncing;
  private boolean closed;
  private long retryTimer = -1;
  private long retryDelay = RETRY_MIN_MILLIS;
  private String epoch;
  private long seq = -1;
  private String owner;
  private Buffer snapshot;

  QueueEdge(Vertx vertx, SyncbusConfig.Queue config, long subscriberLimit, AtomicInteger nodeSubscribers) {
    this.vertx = vertx;
    this.config = config;
    this.subscriberLimit = subscriberLimit;
    this.nodeSubscribers = nodeSubscribers;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.stream(config.name()), message -> onEvent(message.body()));
    return consumer.completion().onSuccess(v -> sync());
  }

  Future<Void> stop() {
    closed = true;
    vertx.cancelTimer(retryTimer);
    endAll();
    return consumer.unregister();
  }

  SyncbusConfig.Queue config() {
    return config;
  }

  boolean ready() {
    return synced;
  }

  long seq() {
    return seq;
  }

  String epoch() {
    return epoch;
  }

  String owner() {
    return owner;
  }

  int records() {
    return records.size();
  }

  int nodeSubscribers() {
    return nodeSubscribers.get();
  }

  /** Opens a stream on {@code response}: the backlog line now, then every batch. Needs {@link #ready()}. */
  void subscribe(HttpServerResponse response, String remote) {
    Subscriber subscriber = new Subscriber(response, remote, subscriberLimit);
    subscribers.add(subscriber);
    nodeSubscribers.incrementAndGet();
    response.closeHandler(v -> remove(subscriber));
    subscriber.start(snapshot());
  }

  private void remove(Subscriber subscriber) {
    if (subscribers.remove(subscriber)) {
      nodeSubscribers.decrementAndGet();
    }
  }

  private Buffer snapshot() {
    if (snapshot == null) {
      int size = 3 + records.size();
      for (byte[] element : records.values()) {
        size += element.length;
      }
      Buffer line = Buffer.buffer(size).appendByte((byte) '[');
      boolean first = true;
      for (byte[] element : records.values()) {
        if (!first) {
          line.appendByte((byte) ',');
        }
        line.appendBytes(element);
        first = false;
      }
      snapshot = line.appendByte((byte) ']').appendByte((byte) '\n');
    }
    return snapshot;
  }

  private void onEvent(StreamEvent event) {
    if (closed) {
      return;
    }
    if (syncing) {
      if (pending.size() < MAX_PENDING) {
        pending.add(event);
      }
      return;
    }
    if (!synced) {
      sync();
      return;
    }
    if (!event.epoch().equals(epoch)) {
      resync("the owner started a new history, epoch " + event.epoch());
      return;
    }
    if (event.isReset()) {
      return;
    }
    if (event.seq() <= seq) {
      return;
    }
    if (event.seq() != seq + 1) {
      resync("missed batches " + (seq + 1) + " to " + (event.seq() - 1));
      return;
    }
    apply(event);
  }

  private void apply(StreamEvent event) {
    List<Update> batch = event.batch();
    List<byte[]> elements = event.elements();
    for (int i = 0; i < batch.size(); i++) {
      Update update = batch.get(i);
      if (update.isDelete()) {
        records.remove(update.key());
      } else {
        records.put(update.key(), elements.get(i));
      }
    }
    seq = event.seq();
    snapshot = null;
    List<Subscriber> behind = null;
    for (Subscriber subscriber : subscribers) {
      if (!subscriber.send(event.line())) {
        behind = behind == null ? new ArrayList<>() : behind;
        behind.add(subscriber);
      }
    }
    if (behind != null) {
      behind.forEach(this::disconnectSlow);
    }
  }

  private void disconnectSlow(Subscriber subscriber) {
    LOG.warning(() -> "queue " + config.name() + ": disconnected subscriber " + subscriber.remote()
        + ": more than " + subscriberLimit + " bytes unsent (limits.subscriberBufferBytes)");
    remove(subscriber);
    subscriber.disconnect();
  }

  private void resync(String why) {
    LOG.info(() -> "queue " + config.name() + ": resynchronising (" + why + "); ending "
        + subscribers.size() + " open streams");
    synced = false;
    endAll();
    sync();
  }

  private void endAll() {
    List<Subscriber> open = new ArrayList<>(subscribers);
    subscribers.clear();
    nodeSubscribers.addAndGet(-open.size());
    open.forEach(Subscriber::end);
  }

  private void sync() {
    if (syncing || closed) {
      return;
    }
    syncing = true;
    vertx.cancelTimer(retryTimer);
    vertx.eventBus()
        .<SyncReply>request(Addresses.sync(config.name()), null, new DeliveryOptions().setSendTimeout(SYNC_TIMEOUT_MILLIS))
        .onSuccess(reply -> install(reply.body()))
        .onFailure(error -> retrySync());
  }

  private void retrySync() {
    syncing = false;
    pending.clear();
    if (closed) {
      return;
    }
    retryTimer = vertx.setTimer(retryDelay, id -> sync());
    retryDelay = Math.min(RETRY_MAX_MILLIS, retryDelay * 2);
  }

  private void install(SyncReply reply) {
    syncing = false;
    retryDelay = RETRY_MIN_MILLIS;
    if (closed) {
      return;
    }
    records.clear();
    for (int i = 0; i < reply.keys().size(); i++) {
      records.put(reply.keys().get(i), reply.elements().get(i));
    }
    epoch = reply.epoch();
    seq = reply.seq();
    owner = reply.owner();
    snapshot = null;
    synced = true;
    List<StreamEvent> arrived = new ArrayList<>(pending);
    pending.clear();
    arrived.forEach(this::onEvent);
  }
}
