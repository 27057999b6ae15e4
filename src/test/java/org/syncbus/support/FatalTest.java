package org.syncbus.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** README, "Limits": an OutOfMemoryError is fatal wherever it is found, also wrapped; nothing else is. */
class FatalTest {
  @Test
  void outOfMemoryIsFatalAlsoAsACause() {
    assertTrue(Fatal.isFatal(new OutOfMemoryError("heap")));
    assertTrue(Fatal.isFatal(new CompletionException(new RuntimeException(new OutOfMemoryError("heap")))));
  }

  @Test
  void otherErrorsAreNot() {
    assertFalse(Fatal.isFatal(new IllegalStateException("no")));
    assertFalse(Fatal.isFatal(new StackOverflowError()));
  }

  @Test
  void withoutTheLauncherNothingExits() {
    // Exiting is off unless the launcher turns it on: this JVM goes on.
    Fatal.check(new OutOfMemoryError("test"));
  }
}
