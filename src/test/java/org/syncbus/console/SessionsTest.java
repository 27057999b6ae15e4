package org.syncbus.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.FakeClock;

/** The console's session tokens: signed by the node, dated, revocable; time from a fake clock. */
class SessionsTest {
  private final FakeClock clock = FakeClock.atSeconds(1_700_000_000);
  private static final Duration LIFETIME = Duration.ofMinutes(30);
  private final Sessions sessions = new Sessions(clock);

  @Test
  void aTokenLastsItsLifetimeAndNoLonger() {
    String token = sessions.issue(LIFETIME);
    assertEquals(clock.instant().plus(LIFETIME), sessions.expiry(token));
    clock.advance(LIFETIME.minusSeconds(1));
    assertEquals(clock.instant().plusSeconds(1), sessions.expiry(token));
    clock.advance(Duration.ofSeconds(1));
    assertNull(sessions.expiry(token));
  }

  @Test
  void everyTokenIsNew() {
    assertNotEquals(sessions.issue(LIFETIME), sessions.issue(LIFETIME));
  }

  @Test
  void aTokenOfAnotherNodeOrAlteredIsNotOne() {
    String token = sessions.issue(LIFETIME);
    assertNull(new Sessions(clock).expiry(token), "another node's key");
    String[] parts = token.split("\\.");
    assertNull(sessions.expiry((Long.parseLong(parts[0]) + 60) + "." + parts[1] + "." + parts[2]), "a later expiry");
    assertNull(sessions.expiry(parts[0] + "." + parts[1] + "." + parts[2].substring(1)), "a cut signature");
    for (String garbage : new String[] {"", ".", "..", "a.b.c", parts[2], "é.é.é"}) {
      assertNull(sessions.expiry(garbage), garbage);
    }
    assertNull(sessions.expiry(null));
  }

  @Test
  void aRevokedTokenIsRefusedUntilItWouldHaveExpired() {
    String token = sessions.issue(LIFETIME);
    String other = sessions.issue(LIFETIME);
    sessions.revoke(token);
    assertNull(sessions.expiry(token));
    assertEquals(clock.instant().plus(LIFETIME), sessions.expiry(other), "other sessions go on");
    sessions.revoke("not a token");
  }
}
