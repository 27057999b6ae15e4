package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Addresses;
import org.syncbus.metrics.QueueMeters;
import org.syncbus.stream.StreamAddresses;
import org.syncbus.stream.StreamEvent;
import org.syncbus.stream.SyncReply;
import org.syncbus.support.Backoff;
import org.syncbus.queue.EncodedBacklog;
import org.syncbus.support.ThrottledLog;

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
 * backlog: PROTOCOL.md allows the server to end a stream at any time) and synchronise again. So
 * does a merge of this node's side of a split cluster into the other ({@link #resynchronise}):
 * whatever this mirror followed while apart, it then serves the owner's history, from its backlog
 * (new polls) or, for a resuming client, from the seq it resumes at or with a {@code reset}.
 *
 * <p><b>The owner.</b> The mirror knows the owner from its backlog and from the owner's reset
 * notices; batches and requests for the backlog go to that owner's own address
 * ({@link #applyAddress}), so none waits on a node that left. When Hazelcast removes the owner
 * ({@link #nodeLeft}), a request for the backlog on its way to it is asked again at once, and
 * batches are refused until the next owner announces itself.
 *
 * <p><b>Encode once.</b> Records are kept as the owner's encoded update elements, in an
 * {@link EncodedBacklog} like the owner's own; the snapshot line is their concatenation, built
 * once per seq (and framing) and shared by every subscriber until the next batch. Batches are the
 * owner's bytes; other framings wrap them, once each per batch ({@link BatchFramings}).
 *
 * <p><b>Resume.</b> The last batches (at most {@code queues.Q.retain.batches} and
 * {@code .bytes}) are retained in one form each, their JSON array ({@link RetainedLog}: counted
 * as the heap they hold, framed again when a client resumes), so a client that comes back with
 * {@code since=E:S} receives exactly the batches after S, the same bytes as the live stream, or,
 * when they are no longer all here (other epoch, too old, in the future), the whole backlog marked
 * {@code reset}. Used from its edge's event loop only.
 *
 * <p><b>For the console</b> ({@link QueueView}) the mirror also keeps its last batches, small
 * ({@link RecentBatches}), dated by the edge's clock.
 */
final class QueueEdge implements QueueView {
  private static final Logger LOG = Logger.getLogger(QueueEdge.class.getName());
  private static final long SYNC_TIMEOUT_MILLIS = 10_000;
  /** A next owner announces itself within moments of taking the queue over; a mirror that heard none by then asks. */
  private static final long OWNER_ANNOUNCE_MILLIS = 5_000;
  /** A failed sync is retried after 50 ms, doubling up to 2 s: an owner is usually back within moments. */
  private static final Backoff SYNC_RETRY = new Backoff(50, 2_000);
  private static final int MAX_PENDING = 100_000;
  /**
   * Following the stream means registering on it in the cluster, a Hazelcast write that fails
   * when its backup is slow (a member joining, partitions moving): tried this many times.
   */
  private static final int FOLLOW_ATTEMPTS = 5;

  private final Vertx vertx;
  private final Clock clock;
  private SyncbusConfig.Queue config;
  private long subscriberLimit;
  /** {@code http.coalesceMillis}, in nanoseconds. */
  private long coalesceNanos;
  private final AtomicInteger nodeSubscribers;
  private final QueueMeters meters;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final EncodedBacklog records = new EncodedBacklog();
  private final RetainedLog retained = new RetainedLog();
  private final RecentBatches recentBatches = new RecentBatches();
  private final List<StreamEvent> pending = new ArrayList<>();
  private MessageConsumer<StreamEvent> consumer;

  private boolean synced;
  private boolean syncing;
  /** Numbers the requests for the backlog: only the answer to the latest one is installed. */
  private long syncGeneration;
  /** The owner the request for the backlog on its way was sent to; null when sent to the queue's address. */
  private String syncTarget;
  /**
   * The owner this mirror knows is gone (it left the cluster, or no longer answers at its own
   * address), since {@code ownerGoneSince} ({@link System#nanoTime()}); cleared when an owner
   * announces itself.
   */
  private boolean ownerGone;
  private long ownerGoneSince;
  private boolean closed;
  private long retryTimer = -1;
  private int syncAttempt;
  private String epoch;
  private long seq = -1;
  private String owner;
  /** When this edge last flushed a batch to its subscribers ({@link System#nanoTime()}). */
  private long lastFlushNanos;
  /** {@link #endTimeoutMillis()}. */
  private long endTimeoutMillis;
  private final ThrottledLog clientLog;
  /** The timer that flushes the batches held by {@link #flushNow()}; -1 when none waits. */
  private long flushTimer = -1;
  /** The snapshot framed for each format, plain and reset: dropped whenever the records or the seq change. */
  private final Buffer[] snapshots = new Buffer[Format.values().length * 2];

  QueueEdge(Vertx vertx, Clock clock, SyncbusConfig.Queue config, SyncbusConfig node, AtomicInteger nodeSubscribers,
            QueueMeters meters, ThrottledLog clientLog) {
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.subscriberLimit = node.limits().subscriberBufferBytes();
    this.coalesceNanos = TimeUnit.MILLISECONDS.toNanos(node.http().coalesceMillis());
    this.endTimeoutMillis = TimeUnit.SECONDS.toMillis(node.http().idleTimeoutSeconds());
    this.clientLog = clientLog;
    // nanoTime has no fixed origin: "long ago" must be measured from now (the largest interval is 1 s).
    this.lastFlushNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    this.nodeSubscribers = nodeSubscribers;
    this.meters = meters;
  }

  Future<Void> start() {
    return follow(1).onSuccess(v -> sync());
  }

  private Future<Void> follow(int attempt) {
    consumer = vertx.eventBus().consumer(StreamAddresses.stream(config.name()), message -> onEvent(message.body()));
    return consumer.completion().recover(error -> {
      if (closed || attempt >= FOLLOW_ATTEMPTS) {
        return Future.failedFuture(error);
      }
      long delay = SYNC_RETRY.delayMillis(attempt);
      LOG.warning(() -> "queue " + config.name() + ": registering on the owner's stream failed ("
          + error.getClass().getSimpleName() + ", attempt " + attempt + "); trying again in " + delay + " ms");
      return consumer.unregister().transform(v -> vertx.timer(delay)).compose(v -> follow(attempt + 1));
    });
  }

  Future<Void> stop() {
    closed = true;
    synced = false;
    vertx.cancelTimer(retryTimer);
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
      flushAll();
    }
    endAll();
    return consumer.unregister();
  }

  @Override
  public SyncbusConfig.Queue config() {
    return config;
  }

  /**
   * Takes reloaded settings of the queue and the node: its retention, the subscriber limit,
   * {@code http.coalesceMillis} and {@code http.idleTimeoutSeconds}, for what comes next; open
   * streams go on untouched.
   */
  void reconfigure(SyncbusConfig.Queue next, SyncbusConfig node) {
    config = next;
    subscriberLimit = node.limits().subscriberBufferBytes();
    coalesceNanos = TimeUnit.MILLISECONDS.toNanos(node.http().coalesceMillis());
    endTimeoutMillis = TimeUnit.SECONDS.toMillis(node.http().idleTimeoutSeconds());
  }

  /**
   * How long a stream this edge ended may wait for its client to read its end
   * ({@code http.idleTimeoutSeconds}, as a connection between requests), before it is cut.
   */
  long endTimeoutMillis() {
    return endTimeoutMillis;
  }

  /** {@code subscriber}'s client did not read the end of its stream in time: its connection is being cut. */
  void endNotRead(Subscriber subscriber) {
    clientLog.warn("http.idleTimeoutSeconds", () -> "stream to " + subscriber.remote() + " cut: its end was not read within "
        + endTimeoutMillis / 1000 + " s (http.idleTimeoutSeconds)");
  }

  @Override
  public boolean ready() {
    return synced;
  }

  @Override
  public long seq() {
    return seq;
  }

  @Override
  public String epoch() {
    return epoch;
  }

  @Override
  public String owner() {
    return owner;
  }

  /**
   * Where a batch for this queue goes: the owner's own address once the mirror knows the owner,
   * so that only that owner can apply it; the queue's address before. Null while the owner the
   * mirror knew has left the cluster and the next one has not announced itself: no owner would
   * answer (the caller refuses with 503). If that lasts, the mirror asks who owns the queue.
   */
  String applyAddress() {
    if (owner == null) {
      return Addresses.apply(config.name());
    }
    if (!ownerGone) {
      return StreamAddresses.applyAt(config.name(), owner);
    }
    if (System.nanoTime() - ownerGoneSince > TimeUnit.MILLISECONDS.toNanos(OWNER_ANNOUNCE_MILLIS)) {
      askOwner();
    }
    return null;
  }

  /**
   * Asks whoever owns the queue for its backlog, only to learn who it is (its reset notice may
   * have been missed); the mirror itself is left as it is. Without an owner (a side of the cluster
   * without a majority) nothing changes, and it is asked again a while later.
   */
  private void askOwner() {
    ownerGoneSince = System.nanoTime();
    vertx.eventBus()
        .<SyncReply>request(StreamAddresses.sync(config.name()), null, new DeliveryOptions().setSendTimeout(SYNC_TIMEOUT_MILLIS))
        .onSuccess(reply -> {
          if (ownerGone && !closed) {
            learnOwner(reply.body().owner());
          }
        })
        .onFailure(error -> LOG.fine(() -> "queue " + config.name() + ": no owner answered (" + error.getMessage() + ")"));
  }

  /**
   * A request sent to {@code node}'s own address found nobody there, or no answer: if it is still
   * the owner this mirror knows, that owner stepped down or is gone.
   */
  void ownerAbsent(String node) {
    if (node.equals(owner) && !ownerGone) {
      ownerGone = true;
      ownerGoneSince = System.nanoTime();
    }
  }

  @Override
  public boolean ownerPresent() {
    return owner != null && !ownerGone;
  }

  int records() {
    return records.size();
  }

  @Override
  public EncodedBacklog.Size size() {
    return records.sizeNow();
  }

  @Override
  public int retainedBatches() {
    return retained.batches();
  }

  @Override
  public long retainedBytes() {
    return retained.bytes();
  }

  @Override
  public Records backlog() {
    return new Records(records.keys(), records.elements());
  }

  @Override
  public List<RecentBatch> recentBatches() {
    return recentBatches.list();
  }

  int nodeSubscribers() {
    return nodeSubscribers.get();
  }

  /**
   * Opens a stream on {@code response}: the backlog now (or, when {@code since} can be resumed
   * from the retained log, the batches after it), then every batch. Needs {@link #ready()}. Batches
   * go out as chunks framed once for every subscriber through {@code chunks}, when there is one;
   * then the stream takes its channel from Vert.x once its opening is written ({@link Subscriber}).
   */
  void subscribe(HttpServerResponse response, HttpConnection connection, Format format, Since since, ChunkWriter chunks) {
    Subscriber subscriber = new Subscriber(this, response, connection, subscriberLimit, format, chunks);
    subscribers.add(subscriber);
    nodeSubscribers.incrementAndGet();
    kindOf(subscriber).incrementAndGet();
    if (since == null) {
      subscriber.start(snapshot(format, false));
      meters.started(QueueMeters.Start.SNAPSHOT);
    } else if (since.epoch().equals(epoch) && retained.resumable(since.seq(), seq)) {
      subscriber.start(format.resumed(epoch, since.seq()));
      retained.writeAfter(since.seq(), epoch, format, subscriber::start);
      meters.started(QueueMeters.Start.RESUMED);
    } else {
      subscriber.start(snapshot(format, true));
      meters.started(QueueMeters.Start.RESET);
    }
    subscriber.opened();
  }

  /** {@code subscriber}'s connection closed. */
  void closed(Subscriber subscriber) {
    remove(subscriber);
  }

  /** The node's count of subscribers of {@code subscriber}'s kind, for {@code /metrics}. */
  private AtomicInteger kindOf(Subscriber subscriber) {
    return meters.subscribers(subscriber.format() == Format.SSE ? QueueMeters.Kind.EVENTS : QueueMeters.Kind.POLL);
  }

  /** Writes an SSE comment to every SSE subscriber, so idle streams stay open. */
  void keepAlive() {
    for (Subscriber subscriber : subscribers) {
      if (subscriber.format() == Format.SSE) {
        subscriber.send(Format.KEEP_ALIVE);
      }
    }
  }

  private void remove(Subscriber subscriber) {
    if (subscribers.remove(subscriber)) {
      nodeSubscribers.decrementAndGet();
      kindOf(subscriber).decrementAndGet();
    }
  }

  /** The backlog framed for {@code format}, built at most once per seq. */
  private Buffer snapshot(Format format, boolean reset) {
    int slot = format.ordinal() * 2 + (reset ? 1 : 0);
    if (snapshots[slot] == null) {
      snapshots[slot] = format.snapshot(epoch, seq, records.array(), reset);
    }
    return snapshots[slot];
  }

  private void invalidateSnapshots() {
    Arrays.fill(snapshots, null);
  }

  /** Where a client asks to resume: {@code E:S}, the last batch it has. */
  record Since(String epoch, long seq) {
    /** Parses {@code E:S}; null when malformed. */
    static Since parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0) {
        return null;
      }
      try {
        long seq = Long.parseLong(text.substring(colon + 1));
        return seq < 0 ? null : new Since(text.substring(0, colon), seq);
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  private void onEvent(StreamEvent event) {
    if (closed) {
      return;
    }
    if (event instanceof StreamEvent.Reset reset) {
      learnOwner(reset.owner()); // whatever its epoch: batches go to the owner that announced itself last
      if (syncing && !reset.owner().equals(syncTarget)) {
        requestBacklog(); // of the owner that announced itself, not of the one asked before
      }
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
    if (event instanceof StreamEvent.Reset reset) {
      if (reset.seq() != seq) {
        resync("the owner, " + owner + ", is at seq " + reset.seq() + " and this mirror at " + seq);
      }
    } else if (event instanceof StreamEvent.Batch batch) {
      if (batch.seq() == seq + 1) {
        apply(batch);
      } else if (batch.seq() > seq) {
        resync("missed batches " + (seq + 1) + " to " + (batch.seq() - 1));
      }
    }
  }

  private void apply(StreamEvent.Batch event) {
    records.apply(event.batch(), event.elements());
    seq = event.seq();
    invalidateSnapshots();
    retained.add(event.seq(), event.array(), config.retain());
    recentBatches.add(event.seq(), clock.instant(), event.batch());
    BatchFramings framed = new BatchFramings(event);
    boolean flush = flushNow();
    List<Subscriber> behind = null;
    long bytes = 0;
    for (Subscriber subscriber : subscribers) {
      Buffer line = framed.framed(subscriber.format());
      bytes += line.length();
      if (!subscriber.send(line, framed, flush)) {
        behind = behind == null ? new ArrayList<>() : behind;
        behind.add(subscriber);
      }
    }
    framed.release();
    meters.delivered(subscribers.size(), bytes);
    meters.batchServed(epoch, seq);
    countState();
    if (behind != null) {
      behind.forEach(this::disconnectSlow);
    }
  }

  /**
   * Whether a batch goes to the sockets now: when the last flush was at least
   * {@code http.coalesceMillis} ago. Otherwise its chunks wait in the channels until then, with
   * the batches that come meanwhile, and go out in one write per subscriber: a quiet stream is
   * never held, and a stream of more than one batch per interval costs one write per subscriber
   * per interval instead of one per batch (the kernel's share of a line is most of its cost).
   */
  private boolean flushNow() {
    long now = System.nanoTime();
    if (flushTimer < 0 && (coalesceNanos <= 0 || now - lastFlushNanos >= coalesceNanos)) {
      lastFlushNanos = now;
      return true;
    }
    if (flushTimer < 0) {
      long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(lastFlushNanos + coalesceNanos - now + 999_999));
      flushTimer = vertx.setTimer(waitMillis, id -> flushAll());
    }
    return false;
  }

  private void flushAll() {
    flushTimer = -1;
    lastFlushNanos = System.nanoTime();
    for (Subscriber subscriber : subscribers) {
      subscriber.flush();
    }
  }

  /** The queue as this mirror serves it now, for {@code /metrics}. */
  private void countState() {
    meters.state(records.size(), records.bytes(), epoch, seq);
    meters.retainedBytes(retained.bytes());
  }

  private void disconnectSlow(Subscriber subscriber) {
    LOG.warning(() -> "queue " + config.name() + ": disconnected subscriber " + subscriber.remote()
        + ": more than " + subscriberLimit + " bytes unsent (limits.subscriberBufferBytes)");
    remove(subscriber);
    subscriber.disconnect();
    meters.slowSubscriberCut();
  }

  /**
   * Ends every open stream and synchronises with the owner again, whatever this mirror holds:
   * this node's side of a split cluster merged into the other.
   */
  void resynchronise(String why) {
    if (closed) {
      return;
    }
    if (syncing) {
      requestBacklog(); // the answer on its way predates the merge
      return;
    }
    resync(why);
  }

  /**
   * Hazelcast removed {@code node} from the cluster. If it was this mirror's owner, a request for
   * the backlog on its way to it is given up and asked again, of whoever owns the queue now (and
   * once more of the next owner when it announces itself).
   */
  void nodeLeft(String node) {
    if (closed || !node.equals(owner)) {
      return;
    }
    ownerAbsent(node);
    if (syncing) {
      requestBacklog();
    }
  }

  private void learnOwner(String node) {
    owner = node;
    ownerGone = false;
    meters.owner(node);
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
    open.forEach(subscriber -> kindOf(subscriber).decrementAndGet());
    open.forEach(Subscriber::end);
  }

  private void sync() {
    if (syncing || closed) {
      return;
    }
    requestBacklog();
  }

  /** Asks the owner for its backlog; an earlier request still on its way is given up. */
  private void requestBacklog() {
    syncing = true;
    long generation = ++syncGeneration;
    vertx.cancelTimer(retryTimer);
    String asked = owner != null && !ownerGone ? owner : null;
    syncTarget = asked;
    String address = asked != null ? StreamAddresses.syncAt(config.name(), asked) : StreamAddresses.sync(config.name());
    vertx.eventBus()
        .<SyncReply>request(address, null, new DeliveryOptions().setSendTimeout(SYNC_TIMEOUT_MILLIS))
        .onComplete(reply -> {
          if (generation != syncGeneration) {
            return;
          }
          if (reply.succeeded()) {
            install(reply.result().body());
            return;
          }
          if (asked != null && reply.cause() instanceof ReplyException failed
              && failed.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
            ownerAbsent(asked); // nobody there, or no answer: the next request goes to whoever owns the queue
          }
          retrySync();
        });
  }

  private void retrySync() {
    syncing = false;
    pending.clear();
    if (closed) {
      return;
    }
    retryTimer = vertx.setTimer(SYNC_RETRY.delayMillis(syncAttempt++), id -> sync());
  }

  private void install(SyncReply reply) {
    syncing = false;
    syncAttempt = 0;
    if (closed) {
      return;
    }
    records.replace(reply.keys(), reply.elements());
    epoch = reply.epoch();
    seq = reply.seq();
    learnOwner(reply.owner());
    retained.clear();
    invalidateSnapshots();
    countState();
    synced = true;
    List<StreamEvent> arrived = new ArrayList<>(pending);
    pending.clear();
    arrived.forEach(this::onEvent);
  }
}
