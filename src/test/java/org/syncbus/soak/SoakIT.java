package org.syncbus.soak;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short run of the exactly-once soak that CI makes: {@code scripts/soak --kills 3}, the same
 * driver ({@link Soak}) with three owner SIGKILLs instead of twenty, on three nodes of the packaged
 * jar. Every acknowledged batch is in the final backlog, none was applied twice, and every kill was
 * really done (a kill is counted only once the owner's process is gone and the survivors named
 * another owner). Node logs stay in {@code target/soak-it/}. About two minutes here.
 */
class SoakIT {
  private static final int KILLS = 3;
  private static final Path LOGS = Path.of("target", "soak-it");
  /**
   * Failsafe runs a failed test once more (pom.xml) and passes the build if the second run passes.
   * A loss or a duplicate seen once is a bug however rare, so the second run fails at once.
   */
  private static final AtomicBoolean RAN = new AtomicBoolean();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everyAcknowledgedBatchIsAppliedExactlyOnceWhileTheOwnerIsKilled() {
    if (!RAN.compareAndSet(false, true)) {
      fail("the soak is not run again after a failure: see the first run's report");
    }
    SoakReport report = new Soak(SoakOptions.defaults().withKills(KILLS).withLogDir(LOGS), System.out).run();
    System.out.println(report.summary());
    System.out.print(report.details());
    assertAll(
        () -> assertTrue(report.aborted() == null, () -> "aborted: " + report.aborted()),
        () -> assertEquals(KILLS, report.kills().size(), "owner kills done"),
        () -> assertNotNull(report.comparison(), "the final backlog was compared"),
        () -> assertEquals(0, report.comparison().lost(), () -> "acknowledged batches lost: " + report.summary()),
        () -> assertEquals(0, report.comparison().appliedTwice(), () -> "batches applied twice: " + report.summary()),
        () -> assertTrue(report.tally().acknowledged() > 0, "batches were acknowledged"),
        () -> assertTrue(report.passed(), () -> String.join("; ", report.problems())));
  }
}
