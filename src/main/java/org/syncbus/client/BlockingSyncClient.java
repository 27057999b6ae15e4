package org.syncbus.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.syncbus.queue.Change;
import org.syncbus.queue.Key;

/**
 * {@link SyncClient} for plain Java programs: every call blocks until done and throws a
 * {@link SyncException} on failure (after the retries of {@link SyncClient#sendUpdates(String)}),
 * or the {@link IllegalArgumentException} or {@link IllegalStateException} of a misuse, such as a
 * bad idempotency key; no Vert.x knowledge needed. It runs its own Vert.x instance, released by
 * {@link #close()}.
 *
 * <p>Listeners run on one thread of their own, with a copy of the state taken when the line
 * arrived, so a slow listener holds back only its own notifications, never the connection.
 */
public final class BlockingSyncClient implements AutoCloseable {
  private final Vertx vertx;
  private final SyncClient client;
  private final ExecutorService listeners;

  public BlockingSyncClient(SyncClientOptions options) {
    this.vertx = Vertx.vertx();
    this.client = SyncClient.create(vertx, options);
    this.listeners = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "syncbus-client-listener");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Publishes one update, e.g. {@code Map.of("type", "update", "data", Map.of("id", 1))}. */
  public void sendUpdate(Map<String, Object> update) {
    await(client.sendUpdate(new JsonObject(update)));
  }

  /** Publishes a batch of updates. */
  public void sendUpdates(List<Map<String, Object>> batch) {
    JsonArray array = new JsonArray();
    batch.forEach(update -> array.add(new JsonObject(update)));
    await(client.sendUpdates(array));
  }

  /** Publishes a batch given as JSON text. */
  public void sendUpdates(String batchJson) {
    await(client.sendUpdates(batchJson));
  }

  /** Publishes a batch under a key of the caller's: see {@link SyncClient#sendUpdates(String, String)}. */
  public void sendUpdates(String batchJson, String idempotencyKey) {
    await(client.sendUpdates(batchJson, idempotencyKey));
  }

  /** Follows the queue as {@link SyncClient#poll}; returns at once. */
  public Subscription poll(Set<String> watch, SyncListener listener) {
    return client.poll(watch, (state, changes) -> {
      Map<Key, ObjectNode> copy = Collections.unmodifiableMap(new LinkedHashMap<>(state));
      Map<Key, Change> changed = Collections.unmodifiableMap(changes);
      listeners.execute(() -> listener.onUpdate(copy, changed));
    });
  }

  /** Blocks until {@code subscription} ends; throws the refusal that ended it, if any. */
  public void awaitDone(Subscription subscription) {
    await(subscription.done());
  }

  @Override
  public void close() {
    try {
      await(client.close().eventually(() -> vertx.close()));
    } finally {
      listeners.shutdown();
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SyncException || e.getCause() instanceof IllegalArgumentException
          || e.getCause() instanceof IllegalStateException) {
        throw (RuntimeException) e.getCause();
      }
      throw new SyncException(String.valueOf(e.getCause().getMessage()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncException("interrupted", e);
    }
  }
}
