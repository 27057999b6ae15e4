package org.syncbus.owner;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Failure;
import org.syncbus.contract.Protocol;
import org.syncbus.metrics.QueueMeters;
import org.syncbus.stream.StreamAddresses;
import org.syncbus.stream.StreamCodecs;
import org.syncbus.stream.StreamEvent;
import org.syncbus.stream.SyncReply;
import org.syncbus.support.Backoff;
import org.syncbus.queue.Batches;
import org.syncbus.queue.EncodedBacklog;
import org.syncbus.queue.ExpiringQueue;
import org.syncbus.queue.IdempotencyKeys;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.KeyedQueue;
import org.syncbus.queue.PubSubQueue;
import org.syncbus.queue.Update;

/**
 * The owner of one queue: the only writer of its state.
 *
 * <p><b>Ownership.</b> It first acquires the queue from its {@link Replication}: on a single node
 * at once, in a cluster when no live node owns it. It continues the replicated history if there is
 * one, or loads the initial backlog (retrying with capped exponential back-off) and starts a new
 * history, under a new {@code epoch}. Only then does it listen on {@code syncbus.Q.apply},
 * {@code .snapshot} and {@code .sync} (and on this node's own {@code .apply} and {@code .sync},
 * {@link StreamAddresses}): a request finding no owner answers 503 (retry later). It
 * steps down when a write is refused, or when the replication reports the queue lost; it hands
 * its backlog to a mirror or a client only once the replication confirmed it still owns the queue.
 *
 * <p><b>Time.</b> Each batch is applied at an instant it is stored with, and snapshots carry the
 * records' deadlines, so an expiring queue rebuilt by the next owner keeps every deadline.
 *
 * <p><b>Ordering.</b> Batches are applied in the order they arrive, numbered {@code seq} 1, 2, …
 * after the backlog's 0. Each is encoded exactly once, here; the same bytes go to every mirror on
 * the internal stream and from there to every subscriber. All state is touched from this
 * verticle's event loop only.
 *
 * <p><b>Acknowledgement.</b> A batch is published and acknowledged only after the replication
 * stored it. Batches that arrive while a store is in flight are applied at once and stored
 * together next (group commit), so replication costs one round trip per group, not per batch, and
 * publication stays in seq order. If a store fails because another node took the queue over, none
 * of the unstored batches is acknowledged: the owner steps down, drops its state, and waits to
 * own the queue again.
 *
 * <p><b>Bounds.</b> A batch that would take the backlog past {@code queues.Q.limits.records} or
 * {@code .bytes} is refused ({@link Failure#QUEUE_FULL}) before anything of it is applied: its
 * size is worked out from the batch's encoded elements against the encoded backlog
 * ({@link EncodedBacklog#sizeAfter}), then the queue and the encoded backlog are changed, or
 * neither. Only growth is refused ({@link QueueBounds}); the queue's own batches (an expiring
 * queue's deletions) are never checked. The bounds, like the rest of the queue's settings but its
 * pk, type, ttl and backlog source, follow reloads of the configuration.
 *
 * <p><b>Exactly once.</b> A batch may come with an idempotency key (the message header
 * {@value Addresses#IDEMPOTENCY_KEY}). The owner remembers each key with a digest of its batch and
 * the {@code epoch}:{@code seq} it was applied under ({@link IdempotencyKeys}), and stores the key
 * with the batch, so the next owner remembers it too. The same batch under a remembered key is a
 * retry: it is answered with the original {@code {epoch, seq}} (plus {@code "duplicate": true}) and
 * not applied again; if the original is still being stored, the retry is answered with it. Another
 * batch under that key is refused ({@link Failure#KEY_CONFLICT}). The check comes before the bounds:
 * a retry of an acknowledged batch is never refused as the queue filled up since.
 */
public final class QueueVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(QueueVerticle.class.getName());
  private static final long MAX_TICK_MILLIS = 1000;
  private static final long ACQUIRE_RETRY_MILLIS = 1000;
  /** Compact the replicated log once it holds this many batches… */
  private static final int COMPACT_BATCHES = 1000;
  /** …or more bytes than this and than the backlog itself. */
  private static final long COMPACT_MIN_BYTES = 1024 * 1024;
  /** Batches up to this size are decoded for {@code syncbus.Q.updates} on the event loop; larger ones on a worker. */
  private static final int INLINE_UPDATE_BYTES = 8 * 1024;

  /** The queue's settings as the running configuration has them (reloads change the bounds only). */
  private SyncbusConfig.Queue config;
  private final RunningConfig running;
  private Runnable stopFollowing = () -> { };
  private final String nodeId;
  private final Clock clock;
  private final BiFunction<Vertx, String, Replication> replications;
  private final QueueMeters meters;
  private Replication replication;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final ArrayDeque<Pending> unstored = new ArrayDeque<>();
  /** Requests for the backlog (sync, snapshot) waiting for a moment when nothing waits to be stored. */
  private final List<Runnable> waitingForStored = new ArrayList<>();
  /** Batches that arrived while requests waited for the backlog; applied once those are answered. */
  private final List<Message<Object>> held = new ArrayList<>();

  private BacklogSource source;
  private PubSubQueue queue;
  /** The backlog's records as encoded elements, in backlog order, kept in step with {@code queue}. */
  private EncodedBacklog encoded;
  /** The idempotency keys remembered, kept in step with the history (rebuilt with it). */
  private IdempotencyKeys keys;
  /** The batches being stored now, answered once stored (a retry of one of them waits with it). */
  private List<Pending> storingGroup = List.of();
  private String epoch;
  private long seq;
  private boolean stopped;
  private boolean storing;
  private Promise<Void> idle;
  private long retryTimer = -1;
  private int logBatches;
  private long logBytes;
  private long snapshotBytes;
  /** Publications on {@code syncbus.Q.updates} waiting on the worker: while there are, the next one waits too. */
  private int updatesOnWorker;

  /** A batch applied (at {@code atMillis}) and numbered, waiting to be stored, then published and acknowledged. */
  private record Pending(long seq, List<Update> batch, List<byte[]> elements, byte[] array, Message<Object> request,
                         long atMillis, IdempotencyKeys.Applied key, List<Message<Object>> retries, long arrivedNanos) {}

  /**
   * @param config the queue as it starts; later settings come from {@code running}
   * @param running the node's running configuration, followed for the queue's bounds
   * @param replications makes the queue's {@link Replication} on this verticle's context, from
   *     the Vert.x instance and the queue's name
   * @param meters where the owner counts batches applied and their latency
   */
  public QueueVerticle(SyncbusConfig.Queue config, RunningConfig running, String nodeId, Clock clock,
                       BiFunction<Vertx, String, Replication> replications, QueueMeters meters) {
    this.config = config;
    this.running = running;
    this.nodeId = nodeId;
    this.clock = clock;
    this.replications = replications;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    stopFollowing = running.follow(context, this::reconfigure);
    reconfigure(running.get());
    StreamCodecs.register(vertx.eventBus());
    replication = replications.apply(vertx, config.name());
    replication.lostHandler(this::lost);
    source = BacklogSource.of(vertx, config.backlog());
    if (config.type() == SyncbusConfig.QueueType.EXPIRING) {
      long period = Math.max(50, Math.min(MAX_TICK_MILLIS, config.ttl().toMillis() / 10));
      vertx.setPeriodic(period, id -> tick());
    }
    acquire();
    return Future.succeededFuture();
  }

  /** Stops accepting batches, lets the ones in flight be stored and answered, then gives the queue up. */
  @Override
  public Future<?> stop() {
    stopped = true;
    stopFollowing.run();
    vertx.cancelTimer(retryTimer);
    return unregister()
        .compose(v -> drained())
        .compose(v -> replication.release())
        .eventually(source::close);
  }

  private boolean ready() {
    return queue != null;
  }

  /**
   * Takes the queue's settings from a new running configuration, which keeps the pk, type, ttl and
   * backlog source this owner runs with (ReloadPolicy): what changes is the bounds (and settings
   * the owner does not read). A configuration without the queue is one that stops it: ignored.
   */
  private void reconfigure(SyncbusConfig next) {
    SyncbusConfig.Queue queue = next.queue(config.name());
    if (queue != null) {
      config = queue;
    }
  }

  private void acquire() {
    if (stopped) {
      return;
    }
    replication.acquire()
        .compose(history -> history != null ? rebuild(history) : loadFresh())
        .compose(this::serve)
        .onFailure(error -> {
          if (!stopped) {
            LOG.warning(() -> "queue " + config.name() + ": cannot take the queue (" + reason(error)
                + "); giving it up and trying again in " + ACQUIRE_RETRY_MILLIS + " ms");
            // Give it up meanwhile, so that another node, which may succeed, can take it.
            replication.release().onComplete(released ->
                retryTimer = vertx.setTimer(ACQUIRE_RETRY_MILLIS, id -> acquire()));
          }
        });
  }

  /** The replicated history as a queue: the snapshot, then every logged batch. Parsed off the event loop. */
  private Future<Started> rebuild(Replication.History history) {
    return vertx.executeBlocking(() -> {
      PubSubQueue rebuilt = newQueue();
      rebuilt.apply(Batches.parseAccepted(history.snapshot(), config.pk()));
      rebuilt.restore(history.deadlines());
      for (Replication.Entry entry : history.log()) {
        rebuilt.apply(Batches.parseAccepted(entry.array(), config.pk()), Instant.ofEpochMilli(entry.atMillis()));
      }
      return new Started(rebuilt, EncodedBacklog.of(rebuilt), new IdempotencyKeys(history.keys()), history.epoch(),
          history.seq(), "the cluster");
    }, false);
  }

  /** A new history from the initial backlog source, stored before it is served. */
  private Future<Started> loadFresh() {
    return loadRecords(1).compose(records -> vertx.executeBlocking(() -> {
      PubSubQueue fresh = newQueue();
      fresh.apply(records);
      return new Started(fresh, EncodedBacklog.of(fresh), new IdempotencyKeys(), Replication.newEpoch(clock), 0,
          config.backlog().describe());
    }, false)).compose(started -> {
      String snapshot = new String(started.encoded().array(), StandardCharsets.UTF_8);
      Replication.History initial =
          new Replication.History(started.epoch(), 0, 0, snapshot, started.queue().deadlines(), List.of(), List.of());
      return replication.create(initial).map(started);
    });
  }

  /** The initial backlog's records, retried with capped exponential back-off, one log line a failure. */
  private Future<List<Update>> loadRecords(int attempt) {
    return source.read()
        .compose(text -> vertx.executeBlocking(() -> Batches.parseRecords(text, config.pk()), false))
        .recover(error -> {
          if (stopped) {
            return Future.failedFuture(error);
          }
          long delay = new Backoff(config.backlog().retryInitial(), config.backlog().retryMax()).delayMillis(attempt - 1);
          LOG.warning(() -> "queue " + config.name() + ": initial backlog from " + config.backlog().describe()
              + " failed (attempt " + attempt + ": " + reason(error) + "); retrying in " + delay + " ms");
          return vertx.timer(delay).compose(v -> loadRecords(attempt + 1));
        });
  }

  private record Started(PubSubQueue queue, EncodedBacklog encoded, IdempotencyKeys keys, String epoch, long seq,
                         String from) {}

  private Future<Void> serve(Started started) {
    if (stopped) {
      return replication.release();
    }
    queue = started.queue();
    encoded = started.encoded();
    keys = started.keys();
    epoch = started.epoch();
    seq = started.seq();
    logBatches = 0;
    logBytes = 0;
    snapshotBytes = 0;
    String over = QueueBounds.exceeded(config, encoded.sizeNow());
    if (over != null) {
      LOG.warning(() -> "queue " + config.name() + ": the backlog from " + started.from() + " holds " + over
          + "; batches that grow it are refused until it is back within its bounds");
    }
    EventBus eventBus = vertx.eventBus();
    consumers.add(eventBus.consumer(Addresses.apply(config.name()), this::onApply));
    consumers.add(eventBus.consumer(Addresses.snapshot(config.name()), this::onSnapshot));
    consumers.add(eventBus.<Object>consumer(StreamAddresses.sync(config.name()), this::onSync));
    consumers.add(eventBus.consumer(StreamAddresses.applyAt(config.name(), nodeId), this::onApply));
    consumers.add(eventBus.<Object>consumer(StreamAddresses.syncAt(config.name(), nodeId), this::onSync));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).map(v -> {
      LOG.info(() -> "queue " + config.name() + ": owned by this node with " + queue.size() + " records from "
          + started.from() + " (epoch " + epoch + ", seq " + seq + ")");
      eventBus.publish(StreamAddresses.stream(config.name()), new StreamEvent.Reset(epoch, seq, nodeId));
      return null;
    });
  }

  private Future<Void> unregister() {
    List<MessageConsumer<?>> registered = List.copyOf(consumers);
    consumers.clear();
    return Future.join(registered.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  private PubSubQueue newQueue() {
    return switch (config.type()) {
      case KEYED -> new KeyedQueue(config.pk());
      case EXPIRING -> new ExpiringQueue(config.pk(), config.ttl(), clock);
    };
  }

  private void onApply(Message<Object> message) {
    if (!ready() || stopped) {
      message.fail(Failure.NOT_READY.code(), notReady());
      return;
    }
    if (!waitingForStored.isEmpty()) {
      // Someone waits for the backlog as acknowledged: hold new batches until it is answered, or
      // a steady stream of batches would keep it waiting for ever.
      held.add(message);
      return;
    }
    String key = message.headers().get(Addresses.IDEMPOTENCY_KEY);
    String badKey = key == null ? null : IdempotencyKeys.invalid(key);
    if (badKey != null) {
      message.fail(Failure.INVALID_BATCH.code(), Addresses.IDEMPOTENCY_KEY + ": " + badKey);
      return;
    }
    List<Update> batch;
    try {
      batch = Batches.parse(batchText(message.body()), config.pk());
    } catch (InvalidBatchException e) {
      message.fail(Failure.INVALID_BATCH.code(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      message.fail(Failure.INVALID_BATCH.code(), "batch: cannot be read (" + e.getMessage() + ")");
      return;
    }
    List<byte[]> elements = Json.elements(batch);
    byte[] array = Json.array(elements);
    if (key != null && answeredAlready(key, array, message)) {
      return;
    }
    commit(batch, elements, array, message, key);
  }

  /**
   * Answers a batch whose key is remembered: a retry as its original was (once that is stored), a
   * different batch under the key with {@link Failure#KEY_CONFLICT}. False when the key is new.
   */
  private boolean answeredAlready(String key, byte[] array, Message<Object> message) {
    IdempotencyKeys.Applied applied = keys.find(key, clock.millis(), config.idempotency().windowMillis());
    if (applied == null) {
      return false;
    }
    if (!applied.sameBatch(array)) {
      message.fail(Failure.KEY_CONFLICT.code(), "idempotency key \"" + key + "\" was used for another batch ("
          + applied.epoch() + ":" + applied.seq() + "); a new batch needs a new key");
      return true;
    }
    Pending original = unanswered(applied.seq());
    if (original != null) {
      original.retries().add(message);
    } else {
      message.reply(answer(applied.epoch(), applied.seq()).put(Protocol.DUPLICATE, true));
    }
    return true;
  }

  /** The batch {@code seq} if it is applied but not yet stored and answered; null otherwise. */
  private Pending unanswered(long seq) {
    for (Pending pending : storingGroup) {
      if (pending.seq() == seq) {
        return pending;
      }
    }
    for (Pending pending : unstored) {
      if (pending.seq() == seq) {
        return pending;
      }
    }
    return null;
  }

  private static JsonObject answer(String epoch, long seq) {
    return new JsonObject().put(Protocol.EPOCH, epoch).put(Protocol.SEQ, seq);
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

  /**
   * Applies a valid batch and numbers it; it is published and acknowledged once stored. A request's
   * batch that would take the queue past a bound is refused first, with nothing of it applied;
   * the queue's own batches ({@code request} null: expiry) are never refused.
   */
  private void commit(List<Update> batch, List<byte[]> elements, byte[] array, Message<Object> request, String key) {
    if (request != null) {
      String refusal = QueueBounds.refusal(config, encoded.sizeNow(), encoded.sizeAfter(batch, elements));
      if (refusal != null) {
        request.fail(Failure.QUEUE_FULL.code(), refusal);
        return;
      }
    }
    Instant at = clock.instant();
    queue.apply(batch, at);
    seq++;
    encoded.apply(batch, elements);
    IdempotencyKeys.Applied applied = null;
    if (key != null) {
      applied = IdempotencyKeys.applied(key, array, epoch, seq, at.toEpochMilli());
      keys.add(applied);
      keys.prune(config.idempotency().keys(), config.idempotency().windowMillis(), at.toEpochMilli());
    }
    Pending pending = new Pending(seq, batch, elements, array, request, at.toEpochMilli(), applied, new ArrayList<>(0),
        System.nanoTime());
    if (!replication.replicates()) {
      publish(pending);
      return;
    }
    unstored.add(pending);
    store();
  }

  /** Stores every unstored batch in one call, unless a store is in flight (its completion calls again). */
  private void store() {
    if (storing || unstored.isEmpty()) {
      if (!storing) {
        answerWaitingRequests();
        if (idle != null) {
          idle.tryComplete();
        }
      }
      return;
    }
    storing = true;
    List<Pending> group = new ArrayList<>(unstored);
    unstored.clear();
    List<Replication.Entry> entries = new ArrayList<>(group.size());
    for (Pending pending : group) {
      entries.add(new Replication.Entry(pending.seq(), new String(pending.array(), StandardCharsets.UTF_8),
          pending.atMillis(), pending.key()));
      logBytes += pending.array().length;
    }
    logBatches += group.size();
    storingGroup = group;
    long storeStarted = System.nanoTime();
    replication.append(entries, config.idempotency())
        .onSuccess(v -> {
          meters.replicated(System.nanoTime() - storeStarted);
          storingGroup = List.of();
          // Stored: acknowledged and published now, whatever the compaction below does.
          group.forEach(this::publish);
          compactIfDue().onComplete(compacted -> {
            storing = false;
            if (compacted.failed()) {
              // The log stays as it is (still correct); a fenced owner learns it at its next append.
              LOG.warning(() -> "queue " + config.name() + ": compacting the replicated log failed ("
                  + reason(compacted.cause()) + "); it is tried again later");
            }
            store();
          });
        })
        .onFailure(error -> {
          storing = false;
          storingGroup = List.of();
          for (int i = group.size() - 1; i >= 0; i--) {
            unstored.addFirst(group.get(i));
          }
          stepDown(error);
        });
  }

  /**
   * Replaces the replicated log by a snapshot once it outgrows its bound. The in-memory queue
   * already holds any batch that arrived during the store, so this waits for a moment with none.
   */
  private Future<Void> compactIfDue() {
    boolean due = logBatches >= COMPACT_BATCHES || (logBytes >= COMPACT_MIN_BYTES && logBytes >= snapshotBytes);
    if (!due || !unstored.isEmpty()) {
      return Future.succeededFuture();
    }
    String snapshot = new String(encoded.array(), StandardCharsets.UTF_8);
    return replication.compact(seq, snapshot, queue.deadlines()).onSuccess(v -> {
      logBatches = 0;
      logBytes = 0;
      snapshotBytes = snapshot.length();
    });
  }

  /**
   * Another node owns the queue now (or the replicated state is out of reach): nothing unstored is
   * acknowledged, the state is dropped, and this node waits to own the queue again.
   */
  private void stepDown(Throwable error) {
    LOG.warning(() -> "queue " + config.name() + ": stepping down as owner (" + reason(error) + "); "
        + unstored.size() + " unacknowledged batches refused");
    String refusal = "queue " + config.name() + " is changing owner (" + reason(error) + "); retry";
    for (Pending pending : unstored) {
      if (pending.request() != null) {
        pending.request().fail(Failure.NOT_READY.code(), refusal);
      }
      pending.retries().forEach(retry -> retry.fail(Failure.NOT_READY.code(), refusal));
    }
    unstored.clear();
    queue = null;
    encoded = null;
    keys = null;
    answerWaitingRequests();
    if (idle != null) {
      idle.tryComplete();
    }
    unregister().onComplete(v -> acquire());
  }

  /**
   * The replication learned that another node holds the queue now. Serving, with nothing being
   * stored, this owner steps down at once; with a store in flight, that store's refusal does it.
   */
  private void lost(String why) {
    if (ready() && !stopped && !storing && unstored.isEmpty()) {
      stepDown(new IllegalStateException(why));
    }
  }

  /** Completes when no batch waits to be stored. */
  private Future<Void> drained() {
    if (!storing && unstored.isEmpty()) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    return idle.future();
  }

  private void publish(Pending pending) {
    vertx.eventBus().publish(StreamAddresses.stream(config.name()),
        new StreamEvent.Batch(epoch, pending.seq(), config.pk(), pending.batch(), pending.elements(), pending.array()));
    publishUpdate(epoch, pending.seq(), pending.array());
    if (pending.request() != null) {
      pending.request().reply(answer(epoch, pending.seq()));
      meters.applied(System.nanoTime() - pending.arrivedNanos());
    }
    pending.retries().forEach(retry -> retry.reply(answer(epoch, pending.seq()).put(Protocol.DUPLICATE, true)));
  }

  /**
   * Publishes the batch on the public {@code updates} address, as a {@code JsonObject} whose
   * {@code batch} is decoded from the batch's bytes: work in proportion to its size. A batch of up
   * to {@value #INLINE_UPDATE_BYTES} bytes is decoded here, on the event loop, in microseconds; a
   * larger one on a worker, which publishes it from there. Publications keep the seq order: ordered
   * worker tasks run one after the other, and a batch is published here only while none is waiting
   * on the worker. (Publishing from a worker task's completion callback would not keep it: a task
   * that finished before its callback was registered runs that callback at once.)
   */
  private void publishUpdate(String epoch, long seq, byte[] array) {
    if (updatesOnWorker == 0 && array.length <= INLINE_UPDATE_BYTES) {
      publishUpdateNow(epoch, seq, array);
      return;
    }
    updatesOnWorker++;
    vertx.executeBlocking(() -> {
      publishUpdateNow(epoch, seq, array);
      return null;
    }, true).onComplete(done -> {
      updatesOnWorker--;
      if (done.failed()) {
        LOG.log(Level.SEVERE, "queue " + config.name() + ": cannot publish batch " + seq + " on "
            + Addresses.updates(config.name()), done.cause());
      }
    });
  }

  private void publishUpdateNow(String epoch, long seq, byte[] array) {
    vertx.eventBus().publish(Addresses.updates(config.name()), new JsonObject()
        .put(Protocol.EPOCH, epoch)
        .put(Protocol.SEQ, seq)
        .put(Protocol.BATCH, new JsonArray(Buffer.buffer(array))));
  }

  private void onSnapshot(Message<Object> message) {
    whenConfirmed(message, () -> whenStored(message, () -> answerSnapshot(message)));
  }

  private void answerSnapshot(Message<Object> message) {
    byte[] snapshot = encoded.array();
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
    whenConfirmed(message, () -> whenStored(message, () -> answerSync(message)));
  }

  /**
   * Answers a request for the backlog only once the replication confirmed that this node still
   * owns the queue: an owner whose side of a split cluster was merged into the other may not have
   * learned yet that its term ended, and nobody may be handed a history that was replaced.
   */
  private void whenConfirmed(Message<Object> message, Runnable answer) {
    replication.confirm().onComplete(confirmed -> {
      if (confirmed.succeeded()) {
        answer.run();
      } else {
        message.fail(Failure.NOT_READY.code(), "queue " + config.name() + ": this node cannot confirm that it owns it ("
            + reason(confirmed.cause()) + "); retry");
      }
    });
  }

  /**
   * Answers a request for the backlog. While batches wait to be stored, the in-memory state is
   * ahead of what was acknowledged and published, and nobody may see a batch that can still be
   * refused: the request is answered as soon as nothing waits (or refused if ownership is lost).
   */
  private void whenStored(Message<Object> message, Runnable answer) {
    if (!ready()) {
      message.fail(Failure.NOT_READY.code(), notReady());
    } else if (storing || !unstored.isEmpty()) {
      waitingForStored.add(() -> whenStored(message, answer));
    } else {
      answer.run();
    }
  }

  private void answerWaitingRequests() {
    List<Runnable> waiting = List.copyOf(waitingForStored);
    waitingForStored.clear();
    waiting.forEach(Runnable::run);
    List<Message<Object>> resumed = List.copyOf(held);
    held.clear();
    resumed.forEach(this::onApply);
  }

  private void answerSync(Message<Object> message) {
    message.reply(new SyncReply(epoch, seq, nodeId, config.pk(), encoded.keys(), encoded.elements()));
  }

  private void tick() {
    if (!ready() || stopped) {
      return;
    }
    List<Update> expired = queue.tick(clock.instant());
    if (!expired.isEmpty()) {
      List<byte[]> elements = Json.elements(expired);
      commit(expired, elements, Json.array(elements), null, null);
      LOG.fine(() -> "queue " + config.name() + ": " + expired.size() + " records expired");
    }
  }

  private String notReady() {
    return "queue " + config.name() + " is not ready (loading or changing owner); retry later";
  }

  private static String reason(Throwable error) {
    String message = error.getMessage();
    return message == null ? error.getClass().getSimpleName() : message;
  }
}
