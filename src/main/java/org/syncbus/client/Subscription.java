package org.syncbus.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.syncbus.contract.Protocol;
import org.syncbus.support.Backoff;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.Change;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Json;
import org.syncbus.queue.Key;
import org.syncbus.queue.Update;

/**
 * One followed queue: a stream that is reopened whenever it is lost, and the state rebuilt from it.
 *
 * <p>It reads the sequenced stream ({@code format=seq}). The first stream starts with the whole
 * backlog, every record reported as created. A later one asks to resume after the last batch
 * received ({@code since=E:S}): the server sends exactly the missed batches, or, when it cannot
 * (restarted, too far behind), the whole backlog marked {@code reset}, which is compared with the
 * state held before the loss so that only the differences are reported (records created, changed
 * or gone meanwhile). All of it runs on one Vert.x context: the listener is never called
 * concurrently.
 */
public final class Subscription {
  private static final Logger LOG = Logger.getLogger(Subscription.class.getName());

  private final SyncClient client;
  private final Vertx vertx;
  private final Context context;
  private final Set<String> watch;
  private final SyncListener listener;
  private final Promise<Void> done = Promise.promise();
  private volatile ConnectionState state = ConnectionState.CONNECTING;
  private volatile Consumer<ConnectionState> stateHandler = s -> { };

  private volatile StreamStart lastStart = StreamStart.NONE;
  private Backlog current;
  private String epoch;
  private long seq;
  private HttpClientResponse response;
  private int connection;
  private int attempt;
  private long timer = -1;

  Subscription(SyncClient client, Vertx vertx, Set<String> watch, SyncListener listener) {
    this.client = client;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.watch = watch;
    this.listener = listener;
  }

  public ConnectionState state() {
    return state;
  }

  /** How the last stream began: resumed, or with the whole backlog. */
  public StreamStart lastStart() {
    return lastStart;
  }

  /** Called on every change of {@link #state()}. */
  public Subscription stateHandler(Consumer<ConnectionState> handler) {
    this.stateHandler = handler;
    return this;
  }

  /** Completes when the subscription is closed; fails when the server refused it (4xx). */
  public Future<Void> done() {
    return done.future();
  }

  /** Ends the subscription and its connection. */
  public Future<Void> close() {
    context.runOnContext(v -> finish(null));
    return done.future().recover(error -> Future.succeededFuture());
  }

  void start() {
    context.runOnContext(v -> connect());
  }

  private void connect() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    int id = ++connection;
    client.pk()
        .compose(pk -> client.get(client.options().path("poll") + "?" + client.subscribeQuery()
                + "&" + Protocol.FORMAT + "=seq" + (epoch == null ? "" : "&" + Protocol.SINCE + "=" + epoch + ":" + seq),
            resp -> open(id, pk, resp)))
        .onFailure(error -> lost(id, error));
  }

  /** Starts reading a stream; fails (with the server's refusal) when it did not open. */
  private Future<Void> open(int id, String pk, HttpClientResponse resp) {
    if (id != connection || state == ConnectionState.CLOSED) {
      resp.request().connection().close();
      return Future.succeededFuture();
    }
    if (resp.statusCode() != 200) {
      return SyncClient.expectOk(resp).mapEmpty();
    }
    response = resp;
    RecordParser lines = RecordParser.newDelimited("\n", resp).maxRecordSize(client.options().maxLineBytes());
    lines.handler(line -> onLine(id, pk, line));
    lines.exceptionHandler(error -> lost(id, error));
    lines.endHandler(v -> lost(id, new SyncException(0, "the server ended the stream")));
    return Future.succeededFuture();
  }

  private void onLine(int id, String pk, Buffer line) {
    if (id != connection || state == ConnectionState.CLOSED) {
      return;
    }
    try {
      JsonNode json = Json.parse(line.toString(StandardCharsets.UTF_8));
      if (json.has(Protocol.SNAPSHOT)) {
        onSnapshot(json, Batches.fromJson(json.get(Protocol.SNAPSHOT), pk));
      } else if (json.has(Protocol.RESUMED)) {
        epoch = json.get(Protocol.EPOCH).asText();
        lastStart = StreamStart.RESUMED;
        connected();
      } else {
        onBatch(id, json.get(Protocol.SEQ).asLong(), Batches.fromJson(json.get(Protocol.BATCH), pk));
      }
    } catch (JsonProcessingException | InvalidBatchException | RuntimeException e) {
      lost(id, new SyncException(0, "unreadable line from the server: " + e.getMessage()));
    }
  }

  /** The whole backlog: the first line of a fresh stream, or of a refused resume ({@code reset}). */
  private void onSnapshot(JsonNode json, List<Update> snapshot) {
    Backlog next = new Backlog();
    Map<Key, Change> created = next.apply(snapshot, watch);
    Map<Key, Change> changes = current == null ? created : Backlog.diff(current, next, watch);
    lastStart = current == null ? StreamStart.SNAPSHOT : StreamStart.RESET;
    current = next;
    epoch = json.get(Protocol.EPOCH).asText();
    seq = json.get(Protocol.SEQ).asLong();
    connected();
    deliver(current.view(), changes);
  }

  private void onBatch(int id, long batchSeq, List<Update> batch) {
    if (current == null || batchSeq <= seq) {
      return;
    }
    if (batchSeq != seq + 1) {
      // The server never sends a gap; if one shows, start over from a fresh backlog.
      epoch = null;
      lost(id, new SyncException(0, "batch " + batchSeq + " arrived after " + seq));
      return;
    }
    seq = batchSeq;
    deliver(current.view(), current.apply(batch, watch));
  }

  private void connected() {
    attempt = 0;
    setState(ConnectionState.CONNECTED);
  }

  private void deliver(Map<Key, ObjectNode> view, Map<Key, Change> changes) {
    try {
      listener.onUpdate(view, changes);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "syncbus client: the listener of queue " + client.options().queue() + " failed", e);
    }
  }

  private void lost(int id, Throwable error) {
    if (id != connection || state == ConnectionState.CLOSED) {
      return;
    }
    connection++; // late callbacks of the dropped connection are ignored
    dropConnection();
    if (error instanceof SyncException refused && refused.isRefusal()) {
      finish(refused);
      return;
    }
    long jittered = new Backoff(client.options().reconnectInitial(), client.options().reconnectMax())
        .jitteredMillis(attempt);
    attempt++;
    LOG.fine(() -> "syncbus client: queue " + client.options().queue() + ": " + error.getMessage()
        + "; reconnecting in " + jittered + " ms");
    setState(ConnectionState.RECONNECTING);
    timer = vertx.setTimer(jittered, t -> connect());
  }

  private void dropConnection() {
    if (response != null) {
      response.request().connection().close();
      response = null;
    }
  }

  private void finish(Throwable error) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    connection++;
    vertx.cancelTimer(timer);
    dropConnection();
    setState(ConnectionState.CLOSED);
    if (error == null) {
      done.tryComplete();
    } else {
      done.tryFail(error);
    }
  }

  private void setState(ConnectionState newState) {
    if (state != newState) {
      state = newState;
      try {
        stateHandler.accept(newState);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "syncbus client: a state handler failed", e);
      }
    }
  }
}
