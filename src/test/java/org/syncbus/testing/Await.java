package org.syncbus.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting, always bounded, never by sleeping: a test thread blocks on a {@link Future} with a
 * timeout, and a condition that no event announces is re-checked on a Vert.x timer a bounded
 * number of times.
 */
public final class Await {
  /** How long any single wait of a test may take before the test fails. */
  public static final Duration TIMEOUT = Duration.ofSeconds(15);

  private Await() {}

  /** The result of {@code future}; a failure or a timeout fails the test. Never call on an event loop. */
  public static <T> T await(Future<T> future) {
    return await(future, TIMEOUT);
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("nothing happened within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AssertionError assertion) {
        throw assertion;
      }
      throw new AssertionError(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The failure of {@code future}, which must fail (within the timeout). */
  public static Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("neither success nor failure within " + TIMEOUT.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Runs {@code attempt} until its value is {@code accepted}, waiting {@code delayMillis} on a
   * Vert.x timer between attempts, at most {@code attempts} times. Fails naming {@code what} and
   * the last value or error seen.
   */
  public static <T> Future<T> eventually(Vertx vertx, String what, int attempts, long delayMillis,
                                         Supplier<Future<T>> attempt, Predicate<T> accepted) {
    return attempt.get().transform(result -> {
      if (result.succeeded() && accepted.test(result.result())) {
        return Future.succeededFuture(result.result());
      }
      if (attempts <= 1) {
        String last = result.succeeded() ? "last value: " + result.result() : "last error: " + result.cause();
        return Future.failedFuture(new AssertionError(what + ": not reached after the last attempt; " + last));
      }
      return vertx.timer(delayMillis).compose(v -> eventually(vertx, what, attempts - 1, delayMillis, attempt, accepted));
    });
  }
}
