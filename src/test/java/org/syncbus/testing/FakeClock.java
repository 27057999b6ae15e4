package org.syncbus.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand: rules about time (token lifetimes, expiry, secret overlap) are
 * checked by advancing it, never by sleeping. Thread-safe: the node reads it on its event loops.
 */
public final class FakeClock extends Clock {
  private volatile Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  /** A clock at the current wall-clock time, so that tokens signed by real clients are current. */
  public static FakeClock atSystemTime() {
    return new FakeClock(Instant.now());
  }

  public static FakeClock atSeconds(long epochSeconds) {
    return new FakeClock(Instant.ofEpochSecond(epochSeconds));
  }

  public void advance(Duration duration) {
    now = now.plus(duration);
  }

  public void set(Instant instant) {
    now = instant;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
