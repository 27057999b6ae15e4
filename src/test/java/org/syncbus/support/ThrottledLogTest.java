package org.syncbus.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.FakeClock;

/** README, "Limits": what clients cause is logged at most once a second per cause, with the count dropped. */
class ThrottledLogTest {
  private final Logger logger = Logger.getLogger("org.syncbus.test.throttled." + System.nanoTime());
  private final List<String> lines = new ArrayList<>();
  private final FakeClock clock = FakeClock.atSeconds(1_700_000_000L);
  private final ThrottledLog log = new ThrottledLog(logger, clock);
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      lines.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
  }

  @Test
  void oneLinePerCausePerSecondThenTheCountDropped() {
    for (int i = 0; i < 5; i++) {
      log.warn("bad token", () -> "refused a token");
    }
    log.warn("bad path", () -> "refused a path");
    assertEquals(List.of("refused a token", "refused a path"), lines);

    clock.advance(Duration.ofMillis(999));
    log.warn("bad token", () -> "refused a token");
    assertEquals(2, lines.size());
    clock.advance(Duration.ofMillis(1));
    log.warn("bad token", () -> "refused a token");
    assertEquals("refused a token (5 more like it suppressed)", lines.get(2));
  }

  @Test
  void flushSaysTheCountOnceTheSecondIsOver() {
    log.warn("bad token", () -> "refused a token");
    log.warn("bad token", () -> "refused a token");
    log.warn("bad token", () -> "refused a token");
    log.flush();
    assertEquals(1, lines.size(), "not before the second is over");
    clock.advance(Duration.ofSeconds(1));
    log.flush();
    log.flush();
    assertEquals(List.of("refused a token", "bad token: (2 more like it suppressed)"), lines);
  }
}
