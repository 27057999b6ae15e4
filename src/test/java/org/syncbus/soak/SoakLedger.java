package org.syncbus.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What the publishers saw, batch by batch: which batches were acknowledged (200), given up (no 200
 * within the give-up bound, over every node) or refused (4xx: a harness or server bug), how long
 * each acknowledged batch took from its first attempt to its 200 (retries and node switches
 * included), and the longest stretch of time without any 200 at all.
 *
 * <p>Publishers report from event loops; the driver reads and waits from its own thread. Everything
 * is guarded by this object's lock, each report is a few field updates, and waiters are woken by
 * every acknowledgement. Batch {@code i} of publisher {@code p} is bit {@code i} of {@code p}'s sets.
 */
final class SoakLedger {
  /** Latencies up to an hour, in microseconds, three significant digits. */
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
  private static final int KEPT_FAILURES = 5;

  private final BitSet[] acknowledged;
  private final BitSet[] givenUp;
  private final long[] attempted;
  private final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
  private final List<String> failures = new ArrayList<>();
  private long acknowledgedCount;
  private long givenUpCount;
  private long refusedCount;
  private long switches;
  /** When publishing started ({@link System#nanoTime()}); 0 until then. */
  private long startNanos;
  private long lastAckNanos;
  private long longestWithoutAckNanos;

  SoakLedger(int publishers) {
    acknowledged = new BitSet[publishers];
    givenUp = new BitSet[publishers];
    attempted = new long[publishers];
    for (int p = 0; p < publishers; p++) {
      acknowledged[p] = new BitSet();
      givenUp[p] = new BitSet();
    }
  }

  /** Publishing starts now: the first window without a 200 runs from here. */
  synchronized void start(long nanos) {
    startNanos = nanos == 0 ? 1 : nanos;
    lastAckNanos = nanos;
  }

  synchronized void attempting(int publisher, int batch) {
    attempted[publisher] = Math.max(attempted[publisher], batch + 1L);
  }

  /** A publisher tried the batch again through another node (same key). */
  synchronized void switched() {
    switches++;
  }

  synchronized void acknowledged(int publisher, int batch, long firstAttemptNanos) {
    long now = System.nanoTime();
    acknowledged[publisher].set(batch);
    acknowledgedCount++;
    latency.recordValue(Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(now - firstAttemptNanos)));
    longestWithoutAckNanos = Math.max(longestWithoutAckNanos, now - lastAckNanos);
    lastAckNanos = now;
    notifyAll();
  }

  synchronized void gaveUp(int publisher, int batch, Throwable last) {
    givenUp[publisher].set(batch);
    givenUpCount++;
    keep("p" + publisher + "-" + batch + " given up, last failure: " + last);
  }

  synchronized void refused(int publisher, int batch, Throwable refusal) {
    refusedCount++;
    keep("p" + publisher + "-" + batch + " refused: " + refusal);
  }

  private void keep(String failure) {
    if (failures.size() < KEPT_FAILURES) {
      failures.add(failure);
    }
  }

  synchronized long acknowledgedCount() {
    return acknowledgedCount;
  }

  synchronized long lastAckNanos() {
    return lastAckNanos;
  }

  /**
   * Waits until at least {@code count} batches were acknowledged and it is {@code notBeforeNanos}
   * or later; fails after {@code bound}.
   */
  synchronized void awaitAcknowledged(long count, long notBeforeNanos, Duration bound, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (acknowledgedCount < count || System.nanoTime() - notBeforeNanos < 0) {
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new SoakException(what + ": " + acknowledgedCount + " of " + count + " acknowledged batches after "
            + bound.toSeconds() + " s" + (failures.isEmpty() ? "" : "; failures: " + failures));
      }
      // Woken by every acknowledgement; once the count is reached, only the minimum time is left.
      long until = acknowledgedCount < count || notBeforeNanos - deadline > 0 ? deadline : notBeforeNanos;
      TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, until - now));
    }
  }

  /** Waits until a batch is acknowledged after {@code nanos}; when it was. Fails after {@code bound}. */
  synchronized long awaitAckAfter(long nanos, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (lastAckNanos - nanos <= 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SoakException(what + ": no batch acknowledged within " + bound.toSeconds() + " s"
            + (failures.isEmpty() ? "" : "; failures: " + failures));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return lastAckNanos;
  }

  /** The publishers' figures, with publishing stopped at {@code stopNanos} (a dry end counts as a window too). */
  synchronized Tally tally(long stopNanos) {
    long[] ackedPerPublisher = new long[acknowledged.length];
    for (int p = 0; p < acknowledged.length; p++) {
      ackedPerPublisher[p] = acknowledged[p].cardinality();
    }
    long attemptedCount = 0;
    for (long a : attempted) {
      attemptedCount += a;
    }
    return new Tally(attemptedCount, acknowledgedCount, givenUpCount, refusedCount, switches,
        startNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(Math.max(longestWithoutAckNanos, stopNanos - lastAckNanos)),
        latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50) / 1000,
        latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99) / 1000,
        latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000,
        startNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(stopNanos - startNanos), List.copyOf(failures));
  }

  /** Whether batch {@code batch} of {@code publisher} was acknowledged. */
  synchronized boolean isAcknowledged(int publisher, int batch) {
    return acknowledged[publisher].get(batch);
  }

  synchronized boolean isGivenUp(int publisher, int batch) {
    return givenUp[publisher].get(batch);
  }

  synchronized long attempted(int publisher) {
    return attempted[publisher];
  }

  int publishers() {
    return acknowledged.length;
  }

  /**
   * The publishers' side of the soak: batches attempted, acknowledged, given up, refused; node
   * switches; the longest window without a 200; publish latency p50, p99 and max (ms, first attempt
   * to 200); how long publishing ran; a few failures as examples.
   */
  record Tally(long attempted, long acknowledged, long givenUp, long refused, long switches, long longestWithoutAckMillis,
               long p50Millis, long p99Millis, long maxMillis, long publishingMillis, List<String> failures) {}
}
