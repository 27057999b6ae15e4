package org.syncbus.partition;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.syncbus.testing.Await;

/**
 * A subscriber of one node that behaves as a resuming client does (README, "Resume and server-sent
 * events"): it follows the node's {@code format=seq} stream, rebuilding the backlog line by line,
 * and whenever the stream ends or cannot be opened it polls again after {@value #RETRY_MILLIS} ms,
 * resuming from the last line it applied ({@code since=E:S}). So it holds whatever history the
 * node served it, including one the node made up on its own side of a partition; where it stands
 * when it stops is the position a real client would resume from elsewhere.
 *
 * <p>What the node sends is checked as it comes: a gap in the seqs, or a {@code resumed} at
 * another position than asked, is recorded as a problem (and the stream dropped). Lines complete on
 * event loops; the state is guarded by this object's lock.
 */
final class Follower {
  private static final long RETRY_MILLIS = 500;
  /** Polls opened at most: a node refusing every poll for minutes is not followed forever. */
  private static final int MAX_POLLS = 600;

  private final Vertx vertx;
  private final AccessClient access;
  private final NetNode node;
  private final List<String> problems = new ArrayList<>();
  private ClientView view;
  private SeqStream current;
  private int polls;
  private int resumed;
  private int reset;
  private boolean stopped;

  private Follower(Vertx vertx, AccessClient access, NetNode node) {
    this.vertx = vertx;
    this.access = access;
    this.node = node;
  }

  /** Starts following {@code node}; completes once its first backlog has been received. */
  static Future<Follower> start(Vertx vertx, AccessClient access, NetNode node) {
    Follower follower = new Follower(vertx, access, node);
    return access.openSeq(node, null).compose(stream -> {
      synchronized (follower) {
        follower.polls++;
        follower.current = stream;
      }
      if (stream.status() != 200) {
        return stream.close().transform(closed -> Future.failedFuture(
            new AssertionError("the first poll of " + node + " answered " + stream.status())));
      }
      return stream.first().map(first -> {
        follower.read(stream, 0);
        return follower;
      });
    });
  }

  /** Stops following (closes the stream); the view it holds then, or null if it never had one. */
  ClientView stop() {
    SeqStream stream;
    synchronized (this) {
      stopped = true;
      stream = current;
    }
    if (stream != null) {
      Await.await(stream.close());
    }
    synchronized (this) {
      return view == null ? null : view.copy();
    }
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  synchronized String describe() {
    return (view == null ? "no backlog" : "at " + view.position()) + " after " + polls + " polls (" + resumed + " resumed, "
        + reset + " reset)";
  }

  private void poll() {
    String since;
    synchronized (this) {
      if (stopped || polls >= MAX_POLLS) {
        return;
      }
      polls++;
      since = view == null ? null : view.position();
    }
    access.openSeq(node, since).onComplete(opened -> {
      if (opened.failed()) {
        retry();
        return;
      }
      SeqStream stream = opened.result();
      boolean closeNow;
      synchronized (this) {
        current = stream;
        closeNow = stopped || stream.status() != 200;
      }
      if (closeNow) {
        stream.close().onComplete(closed -> retry());
      } else {
        read(stream, 0);
      }
    });
  }

  /** Applies the stream's lines from {@code from} on, as they come; polls again when it ends. */
  private void read(SeqStream stream, int from) {
    for (int index = from; ; index++) {
      Future<JsonObject> line = stream.line(index);
      if (!line.isComplete()) {
        int next = index;
        line.onComplete(done -> {
          if (done.succeeded() && apply(next, done.result())) {
            read(stream, next + 1);
          } else {
            stream.close().onComplete(closed -> retry());
          }
        });
        return;
      }
      if (line.failed() || !apply(index, line.result())) {
        stream.close().onComplete(closed -> retry());
        return;
      }
    }
  }

  /** Applies line {@code index} of a stream; false (and a problem recorded) when it breaks the protocol. */
  private synchronized boolean apply(int index, JsonObject line) {
    if (stopped) {
      return false;
    }
    try {
      if (index > 0) {
        view = view.next(line);
      } else if (line.getBoolean(ClientView.RESUMED, false)) {
        String at = ClientView.epochOf(line) + ":" + line.getLong("seq");
        if (view == null || !at.equals(view.position())) {
          throw new AssertionError("resumed at " + at + " when asked to resume at "
              + (view == null ? "nothing" : view.position()));
        }
        resumed++;
      } else {
        view = ClientView.ofSnapshot(line);
        if (line.getBoolean(ClientView.RESET, false)) {
          reset++;
        }
      }
      return true;
    } catch (AssertionError | RuntimeException e) {
      problems.add(node + ": " + e.getMessage());
      return false;
    }
  }

  private void retry() {
    synchronized (this) {
      if (stopped) {
        return;
      }
    }
    vertx.setTimer(RETRY_MILLIS, id -> poll());
  }
}
