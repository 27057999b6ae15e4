package org.syncbus.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One server process under load, started by {@code scripts/bench}: syncbus, the
 * {@link FloorServer}, or Nchan (nginx). Several {@link Target}s may reach one server (syncbus's
 * {@code /poll}, {@code /events} and TCP-bridge subscribers), so what differs between the servers
 * lives here, once: how a batch is published, how the channel is emptied, whether it is a JVM.
 * The scenarios reach a server through here, so that what they leave in its backlog is known
 * ({@link #reset} empties it before each measurement: every scenario starts from nothing).
 */
final class Server {
  /** The secrets of the queue {@code scripts/bench} configures syncbus with; the floor ignores them. */
  static final String PUBLISH_SECRET = "bench-pub";
  static final String SUBSCRIBE_SECRET = "bench-sub";
  /** Nchan's locations in the {@code nginx.conf} that {@code scripts/bench} writes. */
  static final String NCHAN_SUBSCRIBE_PATH = "/sub";
  static final String NCHAN_PUBLISH_PATH = "/pub";
  /**
   * What {@link #reset} leaves in Nchan's channel: the first line of every new subscriber, as
   * syncbus and the floor send an empty backlog ({@code []}) first.
   */
  private static final String NCHAN_FIRST_MESSAGE = "[]";
  private static final long READY_SECONDS = 90;
  /** Deletes per batch when emptying syncbus's backlog. */
  private static final int DELETES_PER_BATCH = 1000;

  /** The software, and what it means for publishing, emptying and probing. */
  enum Software {
    FLOOR(true, true), SYNCBUS(true, true), NCHAN(false, false);

    /** Whether {@code jcmd} reads its heap. */
    final boolean jvm;
    /** Whether it keeps a keyed backlog (the backlog scenarios); Nchan keeps a buffer of messages only. */
    final boolean keyedBacklog;

    Software(boolean jvm, boolean keyedBacklog) {
      this.jvm = jvm;
      this.keyedBacklog = keyedBacklog;
    }
  }

  final Software software;
  /** Its HTTP port: publishing, health, and the HTTP subscribers. */
  final InetSocketAddress address;
  final long pid;
  /** CPU and memory of the server's processes (nginx's master and worker together), from outside. */
  final ProcessProbe probe;
  /** Every id from 0 to this may be in the server's backlog. */
  private int maxId = -1;

  Server(Software software, InetSocketAddress address, long pid, int clkTck) {
    this.software = software;
    this.address = address;
    this.pid = pid;
    this.probe = new ProcessProbe(pid, clkTck, software.jvm);
  }

  /** For the log: address and PID. */
  String describe() {
    return address.getHostString() + ":" + address.getPort() + " pid " + pid;
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
    throw new IllegalStateException(software + " " + describe() + " is not ready after " + READY_SECONDS + " s: "
        + last);
  }

  /** A new keep-alive publishing connection; the caller closes it. */
  Publisher publisher() {
    return new Publisher(address, PUBLISH_SECRET);
  }

  /**
   * Publishes one batch on {@code pub} as this server takes it: a signed {@code POST /update} form
   * (syncbus, and the floor, which ignores the token), or the batch as the body of a
   * {@code POST} to Nchan's publisher location. Returns the status; {@link #accepted} judges it.
   */
  int publish(Publisher pub, String batch) throws IOException {
    return software == Software.NCHAN ? pub.postBody(NCHAN_PUBLISH_PATH, batch) : pub.publish(batch);
  }

  /** Whether {@link #publish} succeeded: 200, or Nchan's 201 (with subscribers) and 202 (without). */
  boolean accepted(int status) {
    return software == Software.NCHAN ? status == 201 || status == 202 : status == 200;
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
        int status = publish(pub, Batches.updates(from, to, pad));
        if (!accepted(status)) {
          throw new IOException(software + ": publishing records answered " + status + ": " + pub.lastBody());
        }
        published(to);
      }
    }
  }

  /**
   * Empties the backlog: deletes for syncbus, {@code POST /reset} for the floor; for Nchan,
   * deletes the channel (404 when there is none yet) and publishes its first message again.
   */
  void reset() throws IOException {
    try (Publisher pub = publisher()) {
      switch (software) {
        case FLOOR -> expect(pub.post("/reset", ""), 200, "reset", pub);
        case SYNCBUS -> deleteUpTo(pub, maxId);
        case NCHAN -> {
          int deleted = pub.delete(NCHAN_PUBLISH_PATH);
          if (deleted != 200 && deleted != 404) {
            expect(deleted, 200, "deleting the channel", pub);
          }
          expect(publish(pub, NCHAN_FIRST_MESSAGE), 202, "publishing the first message", pub);
        }
      }
    }
    maxId = -1;
  }

  private void expect(int status, int expected, String what, Publisher pub) throws IOException {
    if (status != expected) {
      throw new IOException(software + ": " + what + " answered " + status + ": " + pub.lastBody());
    }
  }

  private void deleteUpTo(Publisher pub, int maxId) throws IOException {
    for (int from = 0; from <= maxId; from += DELETES_PER_BATCH) {
      int to = Math.min(maxId, from + DELETES_PER_BATCH - 1);
      expect(pub.publish(Batches.deletes(from, to + 1)), 200, "deleting records", pub);
    }
  }
}
