package org.syncbus.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;
import org.syncbus.support.Backoff;

/**
 * One batch being published: attempted until the server applies it, refuses it, or the retry
 * window closes.
 *
 * <h2>At most once</h2>
 * Every attempt carries the same idempotency key ({@code Idempotency-Key}). A node that applied
 * the batch but whose answer was lost (a dropped connection, a timeout, a 503 after the owner
 * stayed silent) answers the retry 200 without applying it again, as long as it keeps the key
 * ({@code queues.Q.idempotency.seconds}): retrying never applies a batch twice.
 *
 * <h2>What is retried</h2>
 * Only {@link SyncException#isTransient() transient} failures: no answer at all, or 503. A
 * refusal (4xx, 507) fails at once, as the same batch would be refused again; so does any other
 * status (a 500 is a fault to report, not to repeat).
 *
 * <h2>When</h2>
 * After a capped exponential back-off with jitter ({@link Backoff}), or after the server's
 * {@code Retry-After} when that fits in the time left. The window, {@code retryFor}, is counted
 * from the first attempt on the monotonic clock, and no attempt starts once it is over: a
 * publication lasts at most {@code retryFor} plus its last attempt (bounded by
 * {@code requestTimeout}). Each attempt is signed anew, since a time token made for the first
 * could have expired by the last.
 *
 * <h2>Threads</h2>
 * Everything from {@link #start()} on runs on the client's context, one attempt at a time, so the
 * fields need no lock. {@link #cancel()} (the client closing) may come from any thread: it hops
 * onto the context, and an answer arriving after it is ignored.
 */
final class Publication {
  private static final Logger LOG = Logger.getLogger(Publication.class.getName());

  private final SyncClient client;
  private final Vertx vertx;
  private final Context context;
  private final String batchJson;
  private final String key;
  private final long retryForMillis;
  private final Backoff backoff;
  private final Promise<Void> result = Promise.promise();
  private long startNanos;
  private int attempts;
  private long timer = -1;

  Publication(SyncClient client, Vertx vertx, Context context, String batchJson, String key) {
    this.client = client;
    this.vertx = vertx;
    this.context = context;
    this.batchJson = batchJson;
    this.key = key;
    Duration retryFor = client.options().retryFor();
    // A window too long for milliseconds means "until applied", not an overflow.
    this.retryForMillis = retryFor.getSeconds() >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : retryFor.toMillis();
    this.backoff = new Backoff(client.options().retryInitial(), client.options().retryMax());
  }

  /** Makes the first attempt; completes once the batch is applied, fails with the last error. */
  Future<Void> start() {
    context.runOnContext(v -> {
      startNanos = System.nanoTime();
      attempt();
    });
    return result.future();
  }

  /** Ends the publication at once, failed: its client is closing. */
  void cancel() {
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      result.tryFail(new SyncException("the client was closed while publishing, after " + attemptsMade(), null));
    });
  }

  private void attempt() {
    if (result.future().isComplete()) {
      return;
    }
    attempts++;
    client.postUpdates(batchJson, key).onComplete(applied -> {
      if (applied.succeeded()) {
        result.tryComplete();
      } else {
        retryOrFail(applied.cause());
      }
    });
  }

  private void retryOrFail(Throwable error) {
    if (result.future().isComplete()) {
      return;
    }
    if (!(error instanceof SyncException failure) || !failure.isTransient()) {
      result.fail(error);
      return;
    }
    long remaining = retryForMillis - elapsedMillis();
    long delay = failure.retryAfter().map(Duration::toMillis).filter(asked -> asked < remaining)
        .orElseGet(() -> backoff.jitteredMillis(attempts - 1));
    if (delay >= remaining) {
      result.fail(retryForMillis == 0 ? failure : gaveUp(failure));
      return;
    }
    LOG.fine(() -> "syncbus client: queue " + client.options().queue() + ": " + failure.getMessage()
        + "; attempt " + attempts + " failed, retrying in " + delay + " ms");
    // Vert.x timers take 1 ms at least; Retry-After: 0 means as soon as possible.
    timer = vertx.setTimer(Math.max(1, delay), t -> attempt());
  }

  /** The last error, with its status, saying how long it was tried. */
  private SyncException gaveUp(SyncException last) {
    String message = String.format(Locale.ROOT, "%s; gave up after %s over %.1f s",
        last.getMessage(), attemptsMade(), elapsedMillis() / 1000.0);
    return new SyncException(last.status(), message, null, last);
  }

  private String attemptsMade() {
    return attempts + (attempts == 1 ? " attempt" : " attempts");
  }

  private long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
