package org.syncbus.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.ExternalProcess;

/**
 * {@code packaging/syncbus.service} (README, "Running it as a service") as systemd reads it:
 * {@code systemd-analyze verify} accepts it without a word (and refuses a broken copy, so the
 * check can fail), and it says what the README promises.
 */
class SystemdUnitTest {
  private static final Path UNIT = Path.of("packaging", "syncbus.service");
  /** syncbus's own limit on a graceful stop (SyncbusLauncher): systemd must wait longer. */
  private static final int SHUTDOWN_GRACE_SECONDS = 20;

  @TempDir
  Path dir;

  private ExternalProcess.Outcome verify(Path unit) throws IOException, InterruptedException {
    return ExternalProcess.attempt(List.of("systemd-analyze", "verify", unit.toString()), Map.of(),
        dir.resolve("verify.log"));
  }

  @Test
  void systemdAcceptsTheUnitWithoutAWarning() throws Exception {
    ExternalProcess.Outcome outcome = verify(UNIT);
    assertEquals(0, outcome.status(), outcome.output());
    assertEquals("", outcome.output().strip(), "no warning");
  }

  @Test
  void aBrokenUnitIsRefused() throws Exception {
    Path broken = dir.resolve("syncbus.service");
    Files.writeString(broken, Files.readString(UNIT).replace("ExecStart=/usr/bin/java", "ExecStart=java-nowhere"));
    assertNotEquals(0, verify(broken).status());
  }

  @Test
  void theUnitReloadsOnHupWaitsForTheHandOverAndRunsConfined() throws IOException {
    String unit = Files.readString(UNIT);
    for (String line : List.of("ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "User=syncbus",
        "NoNewPrivileges=true", "ProtectSystem=strict", "KillSignal=SIGTERM")) {
      assertTrue(unit.lines().anyMatch(line::equals), line);
    }
    assertTrue(unit.lines().anyMatch(line -> line.startsWith("ExecStart=") && line.contains("-XX:+ExitOnOutOfMemoryError")));
    Matcher timeout = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(unit);
    assertTrue(timeout.find(), "TimeoutStopSec is set");
    assertTrue(Integer.parseInt(timeout.group(1)) > SHUTDOWN_GRACE_SECONDS, "longer than syncbus's own grace");
  }
}
