package org.syncbus.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-second history of a queue: differences of its totals, the last five minutes, oldest first. */
class QueueRatesTest {
  private final QueueRates rates = new QueueRates();

  private static long[] lastOf(long[] seconds, int count) {
    return Arrays.copyOfRange(seconds, seconds.length - count, seconds.length);
  }

  @Test
  void eachSecondHoldsWhatHappenedSinceTheLastTickTheFirstTickBeingTheBaseline() {
    rates.tick(Map.of("q", new QueueRates.Totals(10, 100)));
    rates.tick(Map.of("q", new QueueRates.Totals(13, 130)));
    rates.tick(Map.of("q", new QueueRates.Totals(13, 130)));
    rates.tick(Map.of("q", new QueueRates.Totals(20, 150)));
    QueueRates.History history = rates.history("q");
    assertEquals(QueueRates.SECONDS, history.batches().length);
    assertArrayEquals(new long[] {0, 3, 0, 7}, lastOf(history.batches(), 4));
    assertArrayEquals(new long[] {0, 30, 0, 20}, lastOf(history.lines(), 4));
  }

  @Test
  void onlyTheLastFiveMinutesAreKept() {
    for (long second = 0; second <= QueueRates.SECONDS + 10; second++) {
      rates.tick(Map.of("q", new QueueRates.Totals(second * second, 0)));
    }
    long[] batches = rates.history("q").batches();
    assertEquals(2L * QueueRates.SECONDS + 19, batches[batches.length - 1], "the last second: 310² - 309²");
    assertEquals(2L * 11 - 1, batches[0], "the oldest kept: 11² - 10²");
  }

  @Test
  void aQueueNoLongerConfiguredIsForgottenAndAnUnknownOneIsAllZero() {
    rates.tick(Map.of("q", new QueueRates.Totals(0, 0)));
    rates.tick(Map.of("q", new QueueRates.Totals(5, 5)));
    rates.tick(Map.of());
    assertEquals(0, Arrays.stream(rates.history("q").batches()).sum());
    assertEquals(0, Arrays.stream(rates.history("never").lines()).sum());
  }
}
