package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.support.Fatal;

/**
 * An {@link OutOfMemoryError} ends a process run through the launcher ({@code SyncbusLauncher}),
 * with status {@value Fatal#EXIT_STATUS} and one line on stderr, instead of leaving a node that
 * looks alive with a dead event loop. The error is thrown on an event loop by
 * {@link OutOfMemoryVerticle}, deployed with {@code run} from the jar and the test classes.
 * Skipped when {@code target/syncbus.jar} is not built.
 */
class FatalErrorIT {
  /** Start-up, the verticle's delay, and a loaded machine. */
  private static final long EXIT_SECONDS = 30;

  @TempDir
  Path dir;

  @Test
  void outOfMemoryErrorOnAnEventLoopEndsTheProcessWithStatus3() throws Exception {
    assumeTrue(Files.isRegularFile(JarProcess.JAR), "target/syncbus.jar is not built");
    assumeTrue(Files.isDirectory(JarProcess.TEST_CLASSES), "target/test-classes is not built");
    String classPath = JarProcess.JAR + File.pathSeparator + JarProcess.TEST_CLASSES;
    try (JarProcess process = JarProcess.start(dir, List.of("-cp", classPath, "org.syncbus.SyncbusLauncher", "run",
        OutOfMemoryVerticle.class.getName()))) {
      Integer status = process.exitStatus(EXIT_SECONDS);

      assertNotNull(status, () -> "still running after " + EXIT_SECONDS + " s; output:\n" + process.output());
      assertEquals(Fatal.EXIT_STATUS, status, process::output);
      assertTrue(process.stderr().lines().anyMatch(line -> line.contains("fatal")),
          () -> "no line saying fatal on stderr:\n" + process.stderr());
    }
  }
}
