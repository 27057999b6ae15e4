package org.syncbus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Publishes batches of one record at a fixed rate, at absolute deadlines ({@code start + i ×
 * period}): a late batch does not push the later ones back, so the rate achieved is the server's
 * doing, not drift in the publisher (how late it ran is reported as lag). Batch {@code i} updates
 * key {@code i % keys} with {@code n = i} and {@code t} = the time it was sent, which the latency
 * probes read back. Batches are dealt round-robin to keep-alive connections, one thread each.
 */
final class PacedPublisher {
  private final int connections;
  private final int keys;
  private final String pad;

  PacedPublisher(int connections, int keys, String pad) {
    this.connections = connections;
    this.keys = keys;
    this.pad = pad;
  }

  /** What was published, and how well the schedule was kept. Times are {@link System#nanoTime()}. */
  static final class Published {
    int ok;
    int errors;
    String error;
    long firstSend = Long.MAX_VALUE;
    long lastSend;
    long maxLagNanos;
    /** Publish round trips, in microseconds. */
    final Histogram rtt = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);

    /** Batches per second between the first send and the last. */
    double achievedRate() {
      return ok < 2 || lastSend <= firstSend ? ok : (ok - 1) * 1e9 / (lastSend - firstSend);
    }

    private void add(Published part) {
      ok += part.ok;
      errors += part.errors;
      if (part.error != null) {
        error = part.error;
      }
      firstSend = Math.min(firstSend, part.firstSend);
      lastSend = Math.max(lastSend, part.lastSend);
      maxLagNanos = Math.max(maxLagNanos, part.maxLagNanos);
      rtt.add(part.rtt);
    }
  }

  /** Publishes {@code rate × seconds} batches (at least one) to {@code server}; returns once all were answered. */
  Published publish(Server server, double rate, double seconds) throws InterruptedException {
    int total = Math.max(1, (int) Math.round(rate * seconds));
    long period = (long) (1e9 / rate);
    int threads = Math.min(connections, total);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    List<Published> parts = new ArrayList<>();
    for (int j = 0; j < threads; j++) {
      int first = j;
      Published part = new Published();
      parts.add(part);
      Thread w = new Thread(() -> {
        try {
          publishShare(server, part, first, threads, total, start, period);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-publisher-" + j);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    return merged(parts, failure.get(), start);
  }

  /** Batches {@code first}, {@code first + step}, … below {@code total}, on one connection. */
  private void publishShare(Server server, Published part, int first, int step, int total, long start, long period)
      throws Exception {
    try (Publisher pub = server.publisher()) {
      pub.get("/health"); // connected before the first deadline
      for (int i = first; i < total; i += step) {
        long deadline = start + i * period;
        long now;
        while ((now = System.nanoTime()) < deadline) {
          LockSupport.parkNanos(deadline - now);
        }
        long sent = System.nanoTime();
        int status = server.publish(pub, Batches.update(i % keys, i, sent, pad));
        long done = System.nanoTime();
        part.rtt.recordValue(Math.min((done - sent) / 1000, part.rtt.getHighestTrackableValue()));
        part.firstSend = Math.min(part.firstSend, sent);
        part.lastSend = Math.max(part.lastSend, sent);
        part.maxLagNanos = Math.max(part.maxLagNanos, sent - deadline);
        if (server.accepted(status)) {
          part.ok++;
        } else {
          part.errors++;
          part.error = "status " + status + ": " + pub.lastBody();
        }
      }
    }
  }

  /** The connections' figures as one; a failed connection counts as one error. */
  private static Published merged(List<Published> parts, Throwable failure, long start) {
    Published result = new Published();
    for (Published part : parts) {
      result.add(part);
    }
    if (failure != null) {
      result.errors++;
      result.error = failure.toString();
    }
    if (result.firstSend == Long.MAX_VALUE) {
      result.firstSend = start;
      result.lastSend = start;
    }
    return result;
  }
}
