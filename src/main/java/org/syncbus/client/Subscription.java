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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.Change;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Key;
import org.syncbus.queue.Update;

/**
 * One followed queue: a stream that is reopened whenever it is lost, and the state rebuilt from it.
 *
 * <p>Each stream starts with the whole backlog. On the first stream every record is reported as
 * created; on a later one the new backlog is compared with the state held before the loss and
 * only the differences are reported (records created, changed or gone meanwhile). All of it runs
 * on one Vert.x context, so the listener is never called concurrently.
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

  private Backlog current;
  private Backlog next;
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
        .compose(pk -> client.get(client.options().path("poll") + "?" + client.subscribeQuery())
            .onSuccess(resp -> open(id, pk, resp)))
        .onFailure(error -> lost(id, error));
  }

  private void open(int id, String pk, HttpClientResponse resp) {
    if (id != connection || state == ConnectionState.CLOSED) {
      resp.request().connection().close();
      return;
    }
    if (resp.statusCode() != 200) {
      SyncClient.expectOk(resp).onFailure(error -> lost(id, error));
      return;
    }
    response = resp;
    next = null;
    RecordParser lines = RecordParser.newDelimited("\n", resp).maxRecordSize(client.options().maxLineBytes());
    lines.handler(line -> onLine(id, pk, line));
    lines.exceptionHandler(error -> lost(id, error));
    lines.endHandler(v -> lost(id, new SyncException(0, "the server ended the stream")));
  }

  private void onLine(int id, String pk, Buffer line) {
    if (id != connection || state == ConnectionState.CLOSED) {
      return;
    }
    List<Update> batch;
    try {
      batch = Batches.parse(line.toString(StandardCharsets.UTF_8), pk);
    } catch (InvalidBatchException e) {
      lost(id, new SyncException(0, "unreadable line from the server: " + e.getMessage()));
      return;
    }
    Map<Key, Change> changes;
    if (next == null) {
      next = new Backlog();
      Map<Key, Change> created = next.apply(batch, watch);
      changes = current == null ? created : Backlog.diff(current, next, watch);
      current = next;
      attempt = 0;
      setState(ConnectionState.CONNECTED);
    } else {
      changes = current.apply(batch, watch);
    }
    deliver(current.view(), changes);
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
    long max = client.options().reconnectMax().toMillis();
    long delay = Math.min(max, client.options().reconnectInitial().toMillis() << Math.min(attempt, 20));
    long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
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
