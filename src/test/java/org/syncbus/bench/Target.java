package org.syncbus.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.syncbus.auth.TimeTokens;

/**
 * One server under load, started by {@code scripts/bench} as its own process: syncbus, or the
 * {@link FloorServer}. Scenarios reach it through here, so that what they leave in its backlog is
 * known ({@link #reset} empties it before each measurement: every scenario starts from nothing).
 */
final class Target {
  /** The secrets of the queue {@code scripts/bench} configures syncbus with; the floor ignores them. */
  static final String PUBLISH_SECRET = "bench-pub";
  static final String SUBSCRIBE_SECRET = "bench-sub";
  private static final long READY_SECONDS = 90;
  /** Deletes per batch when emptying syncbus's backlog. */
  private static final int DELETES_PER_BATCH = 1000;

  final String name;
  final InetSocketAddress address;
  final long pid;
  final boolean floor;
  /** CPU and memory of the server's process, from outside. */
  final ProcessProbe probe;
  /** Every id from 0 to this may be in the server's backlog. */
  private int maxId = -1;

  Target(String name, InetSocketAddress address, long pid, boolean floor, int clkTck) {
    this.name = name;
    this.address = address;
    this.pid = pid;
    this.floor = floor;
    this.probe = new ProcessProbe(pid, clkTck);
  }

  /** For the log: name, address, PID. */
  String describe() {
    return name + " " + address.getHostString() + ":" + address.getPort() + " pid " + pid;
  }

  /** Waits for {@code GET /health} to answer 200: the server was started just before the bench. */
  void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    String last = "";
    while (System.nanoTime() < deadline) {
      try (Publisher p = publisher()) {
        int status = p.get("/health");
        if (status == 200) {
          return;
        }
        last = "status " + status;
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " is not ready after " + READY_SECONDS + " s: " + last);
  }

  /** A new keep-alive publishing connection; the caller closes it. */
  Publisher publisher() {
    return new Publisher(address, PUBLISH_SECRET);
  }

  /** A new population of subscribers (not yet opened); the caller closes it. */
  Subscribers subscribers(int threads, boolean countRecords) throws IOException {
    return new Subscribers(address, threads, pollToken(), countRecords);
  }

  /** Records that ids 0..{@code keys}-1 may now be in the backlog (published by someone else). */
  void published(int keys) {
    maxId = Math.max(maxId, keys - 1);
  }

  /** Publishes records with ids 0..count-1, {@code perBatch} per batch. */
  void publishRecords(int count, int perBatch, String pad) throws IOException {
    try (Publisher pub = publisher()) {
      for (int from = 0; from < count; from += perBatch) {
        int to = Math.min(count, from + perBatch);
        int status = pub.publish(Batches.updates(from, to, pad));
        if (status != 200) {
          throw new IOException(name + ": publishing records answered " + status + ": " + pub.lastBody());
        }
        published(to);
      }
    }
  }

  /** Empties the backlog: deletes for syncbus, {@code POST /reset} for the floor. */
  void reset() throws IOException {
    try (Publisher pub = publisher()) {
      if (floor) {
        int status = pub.post("/reset", "");
        if (status != 200) {
          throw new IOException("floor: reset answered " + status);
        }
      } else {
        deleteUpTo(pub, maxId);
      }
    }
    maxId = -1;
  }

  private static void deleteUpTo(Publisher pub, int maxId) throws IOException {
    for (int from = 0; from <= maxId; from += DELETES_PER_BATCH) {
      int to = Math.min(maxId, from + DELETES_PER_BATCH - 1);
      int status = pub.publish(Batches.deletes(from, to + 1));
      if (status != 200) {
        throw new IOException("syncbus: deleting records answered " + status + ": " + pub.lastBody());
      }
    }
  }

  /** The poll token, signed again when the second changes (a token is valid for a short time only). */
  private static Supplier<String> pollToken() {
    long[] at = {-1};
    String[] token = {null};
    return () -> {
      synchronized (at) {
        long now = TimeTokens.systemSeconds();
        if (now != at[0]) {
          at[0] = now;
          token[0] = URLEncoder.encode(TimeTokens.sign(SUBSCRIBE_SECRET, "None", now), StandardCharsets.UTF_8);
        }
        return token[0];
      }
    };
  }
}
