package org.syncbus.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential back-off: the delay before retry {@code n} (counted from 0) is
 * {@code initial × 2ⁿ}, at most {@code max}. With jitter, a delay is drawn in its upper half, so
 * that many clients that lost the same server do not come back in step.
 */
public record Backoff(long initialMillis, long maxMillis) {
  /** The doubling stops here: {@code initial << 30} is past any sensible cap. */
  private static final int MAX_SHIFT = 30;

  public Backoff(Duration initial, Duration max) {
    this(initial.toMillis(), max.toMillis());
  }

  /** The delay before retry {@code attempt} (0 for the first retry). */
  public long delayMillis(int attempt) {
    long shifted = initialMillis << Math.min(Math.max(attempt, 0), MAX_SHIFT);
    return shifted < 0 ? maxMillis : Math.min(maxMillis, shifted);
  }

  /** {@link #delayMillis(int)} drawn at random in its upper half. */
  public long jitteredMillis(int attempt) {
    long delay = delayMillis(attempt);
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }
}
