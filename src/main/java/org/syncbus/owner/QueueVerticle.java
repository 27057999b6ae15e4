package org.syncbus.owner;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.Addresses;
import org.syncbus.Failure;
import org.syncbus.Protocol;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.queue.Batches;
import org.syncbus.queue.ExpiringQueue;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.Key;
import org.syncbus.queue.KeyedQueue;
import org.syncbus.queue.PubSubQueue;
import org.syncbus.queue.Update;

/**
 * The owner of one queue: the only writer of its state.
 *
 * <p>It loads the initial backlog (retrying with capped exponential back-off; the queue answers
 * 503 until then), then applies every batch sent to {@code syncbus.Q.apply} in the order it
 * receives them, numbering them {@code seq} 1, 2, … after the backlog's 0 within an {@code epoch}
 * that is new each time the history starts again. Each batch is encoded exactly once, here; the
 * same bytes go to every mirror on the internal stream and from there to every subscriber.
 *
 * <p>All state is touched from this verticle's event loop only, so applying, numbering and
 * publishing a batch happen in one step: every consumer of the stream sees batches in seq order,
 * with no gap.
 */
public final class QueueVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(QueueVerticle.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long MAX_TICK_MILLIS = 1000;

  private final SyncbusConfig.Queue config;
  private final String nodeId;
  private final Clock clock;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  private PubSubQueue queue;
  private BacklogSource source;
  private String epoch;
  private long seq;
  private boolean ready;
  private boolean stopped;
  private long retryTimer = -1;

  public QueueVerticle(SyncbusConfig.Queue config, String nodeId, Clock clock) {
    this.config = config;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    EventBus eventBus = vertx.eventBus();
    consumers.add(eventBus.consumer(Addresses.apply(config.name()), this::onApply));
    consumers.add(eventBus.consumer(Addresses.snapshot(config.name()), this::onSnapshot));
    consumers.add(eventBus.<Object>consumer(Addresses.sync(config.name()), this::onSync));
    source = BacklogSource.of(vertx, config.backlog());
    if (config.type() == SyncbusConfig.QueueType.EXPIRING) {
      long period = Math.max(50, Math.min(MAX_TICK_MILLIS, config.ttl().toMillis() / 10));
      vertx.setPeriodic(period, id -> tick());
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> load(1));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(retryTimer);
    return source.close();
  }

  private void load(int attempt) {
    source.read()
        .compose(text -> vertx.executeBlocking(() -> Batches.parseRecords(text, config.pk()), false))
        .onSuccess(this::initialize)
        .onFailure(error -> retryLoad(attempt, error));
  }

  private void retryLoad(int attempt, Throwable error) {
    if (stopped) {
      return;
    }
    long initial = config.backlog().retryInitial().toMillis();
    long delay = Math.min(config.backlog().retryMax().toMillis(), initial << Math.min(attempt - 1, 30));
    LOG.warning(() -> "queue " + config.name() + ": initial backlog from " + config.backlog().describe()
        + " failed (attempt " + attempt + ": " + reason(error) + "); retrying in " + delay + " ms");
    retryTimer = vertx.setTimer(delay, id -> load(attempt + 1));
  }

  private void initialize(List<Update> records) {
    if (stopped) {
      return;
    }
    queue = newQueue();
    queue.apply(records);
    epoch = newEpoch();
    seq = 0;
    ready = true;
    LOG.info(() -> "queue " + config.name() + ": ready with " + queue.size() + " records from "
        + config.backlog().describe() + " (epoch " + epoch + ")");
    vertx.eventBus().publish(Addresses.stream(config.name()), StreamEvent.reset(epoch, seq));
  }

  private PubSubQueue newQueue() {
    return switch (config.type()) {
      case KEYED -> new KeyedQueue(config.pk());
      case EXPIRING -> new ExpiringQueue(config.pk(), config.ttl(), clock);
    };
  }

  private void onApply(Message<Object> message) {
    if (!ready) {
      message.fail(Failure.NOT_READY.code(), notReady());
      return;
    }
    List<Update> batch;
    try {
      batch = Batches.parse(batchText(message.body()), config.pk());
    } catch (InvalidBatchException e) {
      message.fail(Failure.INVALID_BATCH.code(), e.getMessage());
      return;
    }
    long applied = commit(batch);
    message.reply(new JsonObject().put(Protocol.EPOCH, epoch).put(Protocol.SEQ, applied));
  }

  private static String batchText(Object body) throws InvalidBatchException {
    if (body instanceof String text) {
      return text;
    }
    if (body instanceof Buffer buffer) {
      return buffer.toString();
    }
    if (body instanceof JsonArray array) {
      return array.encode();
    }
    if (body instanceof JsonObject) {
      throw new InvalidBatchException("batch: expected a JSON array of updates, got an object");
    }
    throw new InvalidBatchException("batch: expected a JSON array of updates");
  }

  /** Applies a valid batch, numbers it and publishes it; returns its seq. */
  private long commit(List<Update> batch) {
    queue.apply(batch);
    seq++;
    List<byte[]> elements = encoded(batch);
    byte[] array = Json.array(elements);
    vertx.eventBus().publish(Addresses.stream(config.name()), StreamEvent.batch(epoch, seq, batch, elements, array));
    publishUpdate(epoch, seq, array);
    return seq;
  }

  /**
   * Publishes the batch on the public {@code updates} address. Decoding it into a
   * {@code JsonArray} is work in proportion to its size, so it is done on a worker; ordered tasks
   * of one context run one after the other, which keeps the publications in seq order.
   */
  private void publishUpdate(String epoch, long seq, byte[] array) {
    vertx.executeBlocking(() -> new JsonObject()
            .put(Protocol.EPOCH, epoch)
            .put(Protocol.SEQ, seq)
            .put(Protocol.BATCH, new JsonArray(Buffer.buffer(array))), true)
        .onSuccess(update -> vertx.eventBus().publish(Addresses.updates(config.name()), update))
        .onFailure(error -> LOG.log(Level.SEVERE, "queue " + config.name() + ": cannot publish batch " + seq
            + " on " + Addresses.updates(config.name()), error));
  }

  private void onSnapshot(Message<Object> message) {
    if (!ready) {
      message.fail(Failure.NOT_READY.code(), notReady());
      return;
    }
    byte[] snapshot = Json.array(encoded(queue.snapshot()));
    String snapshotEpoch = epoch;
    long snapshotSeq = seq;
    vertx.executeBlocking(() -> new JsonObject()
            .put(Protocol.EPOCH, snapshotEpoch)
            .put(Protocol.SEQ, snapshotSeq)
            .put(Protocol.SNAPSHOT, new JsonArray(Buffer.buffer(snapshot))), false)
        .onSuccess(message::reply)
        .onFailure(error -> message.fail(Failure.UNEXPECTED.code(), "snapshot failed: " + error.getMessage()));
  }

  private void onSync(Message<Object> message) {
    if (!ready) {
      message.fail(Failure.NOT_READY.code(), notReady());
      return;
    }
    List<Update> snapshot = queue.snapshot();
    List<Key> keys = new ArrayList<>(snapshot.size());
    for (Update update : snapshot) {
      keys.add(update.key());
    }
    message.reply(new SyncReply(epoch, seq, nodeId, List.copyOf(keys), List.copyOf(encoded(snapshot))));
  }

  private void tick() {
    if (!ready) {
      return;
    }
    List<Update> expired = queue.tick(clock.instant());
    if (!expired.isEmpty()) {
      long applied = commit(expired);
      LOG.fine(() -> "queue " + config.name() + ": " + expired.size() + " records expired (seq " + applied + ")");
    }
  }

  private static List<byte[]> encoded(List<Update> updates) {
    List<byte[]> elements = new ArrayList<>(updates.size());
    for (Update update : updates) {
      elements.add(Json.element(update));
    }
    return elements;
  }

  private String notReady() {
    return "queue " + config.name() + " is not ready (initial backlog not loaded yet)";
  }

  private static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toString(RANDOM.nextLong() >>> 1, 36);
  }

  private static String reason(Throwable error) {
    String message = error.getMessage();
    return message == null ? error.getClass().getSimpleName() : message;
  }
}
