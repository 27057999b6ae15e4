package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** README, "Limits": request bodies held in memory at once never exceed {@code limits.bufferedBodyBytes}. */
class BodyBudgetTest {
  @Test
  void aClaimThatDoesNotFitIsRefusedWholeAndClaimsNothing() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Claim first = budget.claim();
    assertTrue(first.grow(60));
    BodyBudget.Claim second = budget.claim();
    assertFalse(second.grow(41));
    assertEquals(0, second.held());
    assertEquals(60, budget.used());
    assertTrue(second.grow(40));
    assertEquals(100, budget.used());
  }

  @Test
  void releasingGivesEverythingBackOnce() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Claim claim = budget.claim();
    claim.grow(30);
    claim.grow(20);
    claim.release();
    claim.release();
    assertEquals(0, budget.used());
    assertFalse(claim.grow(1), "a released claim cannot grow again");
  }

  @Test
  void aLowerLimitRefusesNewClaimsAndKeepsHeldOnes() {
    BodyBudget budget = new BodyBudget(100);
    BodyBudget.Claim held = budget.claim();
    held.grow(80);
    budget.limit(50);
    assertEquals(80, budget.used());
    assertFalse(budget.claim().grow(1));
    held.release();
    assertTrue(budget.claim().grow(50));
  }
}
