package org.syncbus.limits;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request bytes held in memory at once across the node, bounded by
 * {@code limits.bufferedBodyBytes}. A body is buffered whole before its token (which it carries)
 * can be checked, so without a bound a few clients that announce large bodies and send them slowly
 * hold the heap. A body claims its declared length before it is read (or, without one, each chunk
 * as it arrives), and gives the claim back when its request ends, however it ends.
 */
public final class BodyBudget {
  private final AtomicLong used = new AtomicLong();
  private volatile long limit;

  public BodyBudget(long limit) {
    this.limit = limit;
  }

  public void limit(long bytes) {
    limit = bytes;
  }

  public long limit() {
    return limit;
  }

  /** Bytes claimed now, by every body in progress. */
  public long used() {
    return used.get();
  }

  /** A claim of nothing yet, for one request body. */
  public Claim claim() {
    return new Claim();
  }

  /** What one request body holds of the budget. Used from its request's event loop only. */
  public final class Claim {
    private long held;
    private boolean released;

    private Claim() {}

    /** Claims {@code bytes} more; false, claiming nothing, when the budget cannot spare them. */
    public boolean grow(long bytes) {
      if (released) {
        return false;
      }
      long now;
      do {
        now = used.get();
        if (now + bytes > limit) {
          return false;
        }
      } while (!used.compareAndSet(now, now + bytes));
      held += bytes;
      return true;
    }

    public long held() {
      return held;
    }

    /** Gives back everything claimed; later calls do nothing. */
    public void release() {
      if (!released) {
        released = true;
        used.addAndGet(-held);
        held = 0;
      }
    }
  }
}
