package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;

/** Batches waiting on an owner that leaves the cluster fail at once, with a 503 that names it. */
class OwnerRequestsTest {
  private final OwnerRequests requests = new OwnerRequests();

  private static Refused refusal(Future<?> failed) {
    assertTrue(failed.failed(), "failed");
    return assertInstanceOf(Refused.class, failed.cause());
  }

  @Test
  void aBatchWaitingOnTheOwnerThatLeftIsRefusedAsNotReady() {
    Promise<String> answer = Promise.promise();
    Future<String> tracked = requests.track("default", "node-a", answer.future());

    requests.ownerLeft("node-a");

    Refused refused = refusal(tracked);
    assertEquals(Refusal.NOT_READY, refused.refusal());
    assertEquals("queue default: its owner, node node-a, left the cluster before answering; retry", refused.detail());
    assertEquals(0, requests.size());
    answer.complete("too late");
    assertTrue(tracked.failed(), "a late answer changes nothing");
  }

  @Test
  void anotherNodeLeavingChangesNothing() {
    Promise<String> answer = Promise.promise();
    Future<String> tracked = requests.track("default", "node-a", answer.future());
    requests.ownerLeft("node-b");
    assertFalse(tracked.isComplete());
    answer.complete("stored");
    assertEquals("stored", tracked.result());
    assertEquals(0, requests.size());
  }

  @Test
  void aBatchSentWhileNoOwnerWasKnownFailsWhicheverNodeLeaves() {
    Future<String> tracked = requests.track("default", null, Promise.<String>promise().future());
    requests.ownerLeft("node-b");
    assertEquals(Refusal.NOT_READY, refusal(tracked).refusal());
  }

  @Test
  void theOwnersOwnRefusalPassesThrough() {
    Future<String> tracked = requests.track("default", "node-a", Future.failedFuture(new IllegalStateException("no")));
    assertEquals("no", tracked.cause().getMessage());
    assertEquals(0, requests.size());
  }
}
