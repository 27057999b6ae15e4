package org.syncbus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.contract.Addresses;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestCluster;
import org.syncbus.testing.TestCluster.Member;

/**
 * Several clustered nodes in one JVM ({@link TestCluster}): one server for publishers and
 * subscribers, one history per queue, and no acknowledged batch lost when the owner dies (README,
 * "Cluster"). Each test starts its own cluster, since each changes its membership; after each,
 * the leak and blocked-loop checks of {@link org.syncbus.testing.IntegrationTest} run over every
 * live member.
 */
class ClusterTest {
  private static final String Q = Configs.DEFAULT;

  @TempDir
  Path dir;

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void checkNothingLeakedAndStopEverything() {
    cluster.checkNothingLeakedAndClose();
  }

  private Member join(JsonObject config) {
    return cluster.join(config);
  }

  private static JsonObject config() {
    return Configs.defaultNode();
  }

  private static String record(int id, String value) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + ",\"v\":\"" + value + "\"}}]";
  }

  /** Waits until {@code member} answers polls (its mirror follows the owner). */
  private static void awaitServing(Member member) {
    Await.await(member.http().awaitReady());
  }

  private static JsonObject info(Member member) {
    return Await.await(member.http().infoOk(Q));
  }

  private Member owner() {
    return cluster.owner(Q);
  }

  /** Publishes through {@code member}, retrying 503s (hand-over in progress) a bounded number of times. */
  private static void publish(Member member, String batch) {
    Await.await(Await.eventually(member.vertx(), "publish " + batch, 200, 100,
        () -> member.http().publish(Q, batch), reply -> reply.status() == 200), java.time.Duration.ofSeconds(60));
  }

  private static Backlog state(String backlogLine) {
    try {
      Backlog backlog = new Backlog();
      backlog.apply(Batches.parse(backlogLine, "id"));
      return backlog;
    } catch (InvalidBatchException e) {
      throw new AssertionError(e);
    }
  }

  /** Three members, once each serves the queue. */
  private List<Member> threeServing() {
    List<Member> members = new ArrayList<>(List.of(join(config()), join(config()), join(config())));
    members.forEach(ClusterTest::awaitServing);
    return members;
  }

  @Test
  void threeNodesServeOneHistoryWithOneOwner() {
    Member a = join(config());
    Member b = join(config());
    Member c = join(config());
    for (Member member : List.of(a, b, c)) {
      awaitServing(member);
    }
    String owner = info(a).getString("owner");
    for (Member member : List.of(a, b, c)) {
      JsonObject info = info(member);
      assertEquals(owner, info.getString("owner"), "every node names the same owner");
      assertEquals(member.nodeId(), info.getString("node"));
    }
    PollStream onB = Await.await(b.http().pollOk(Q));
    PollStream onC = Await.await(c.http().pollOk(Q));
    Await.await(onB.line(0));
    Await.await(onC.line(0));
    List<Member> publishers = List.of(a, b, c);
    for (int i = 0; i < 30; i++) {
      publish(publishers.get(i % 3), record(i % 7, "n" + i));
    }
    List<String> seenOnB = new ArrayList<>();
    List<String> seenOnC = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      seenOnB.add(Await.await(onB.line(i)));
      seenOnC.add(Await.await(onC.line(i)));
    }
    assertEquals(seenOnB, seenOnC, "every subscriber on every node receives the same batches in the same order");
    assertEquals(30, info(c).getLong("seq"));
    assertEquals(1, info(b).getInteger("subscribers"), "subscribers counts this node's");
    Await.await(onB.close());
    Await.await(onC.close());
  }

  @Test
  void ownerDeathLosesNoAcknowledgedBatchAndSurvivorsConverge() {
    List<Member> survivors = threeServing();
    Member owner = owner();
    survivors.remove(owner);
    PollStream subscriber = Await.await(survivors.get(0).http().pollOk(Q));
    Await.await(subscriber.line(0));
    String epochBefore = info(owner).getString("epoch");

    Map<Integer, String> acknowledged = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      publish(survivors.get(i % 2), record(i, "before"));
      acknowledged.put(i, "before");
    }
    cluster.kill(owner);
    for (int i = 20; i < 40; i++) {
      publish(survivors.get(i % 2), record(i, "after"));
      acknowledged.put(i, "after");
    }
    for (Member survivor : survivors) {
      awaitServing(survivor); // its mirror follows the new owner's epoch
    }
    Member newOwner = owner();
    assertNotEquals(owner.nodeId(), newOwner.nodeId(), "a survivor took the queue over");
    assertNotEquals(epochBefore, info(survivors.get(0)).getString("epoch"),
        "a take-over that did not follow a hand-over continues the history under a new epoch");
    // An acknowledgement means stored on two nodes; another node's edge hears of the batch just after.
    long ownerSeq = info(newOwner).getLong("seq");
    for (Member survivor : survivors) {
      Await.await(Await.eventually(survivor.vertx(), "the edge of " + survivor.nodeId() + " at seq " + ownerSeq, 100,
          50, () -> survivor.http().infoOk(Q), info -> info.getLong("seq") >= ownerSeq), java.time.Duration.ofSeconds(10));
      Backlog backlog = state(Await.await(survivor.http().backlogLine(Q)));
      for (Map.Entry<Integer, String> batch : acknowledged.entrySet()) {
        assertTrue(backlog.contains(org.syncbus.queue.Key.of(batch.getKey())),
            "acknowledged record " + batch.getKey() + " survives on " + survivor.nodeId());
      }
      assertEquals(40, backlog.size());
    }
    // The open subscriber converges, by following or by being reset: its next stream holds all 40.
    Await.await(subscriber.close());
  }

  @Test
  void retriesAfterTheOwnerDiedAreAnsweredFromTheReplicatedKeysNotAppliedAgain() {
    List<Member> survivors = threeServing();
    Member owner = owner();
    survivors.remove(owner);
    String epochBefore = info(owner).getString("epoch");
    for (int i = 0; i < 10; i++) {
      HttpReply reply = Await.await(survivors.get(i % 2).http().publish(Q, record(i, "once"), "fail-over-" + i));
      assertEquals(200, reply.status(), reply::toString);
    }
    // The same batch twice at once: the second arrives while the first is being stored, or after.
    DeliveryOptions twice = new DeliveryOptions().addHeader(Addresses.IDEMPOTENCY_KEY, "at-once");
    var first = survivors.get(0).vertx().eventBus().<JsonObject>request(Addresses.apply(Q), record(10, "once"), twice);
    var second = survivors.get(0).vertx().eventBus().<JsonObject>request(Addresses.apply(Q), record(10, "once"), twice);
    assertEquals(11, Await.await(first).body().getLong("seq"));
    assertEquals(11, Await.await(second).body().getLong("seq"), "the second answered with the first's seq");
    assertEquals(true, Await.await(second).body().getBoolean("duplicate"));
    cluster.kill(owner);
    for (Member survivor : survivors) {
      awaitServing(survivor);
    }
    for (int i = 0; i < 10; i++) {
      int key = i;
      Member through = survivors.get((i + 1) % 2); // the other node than the first time
      HttpReply retry = Await.await(Await.eventually(through.vertx(), "retry " + i, 200, 100,
          () -> through.http().publish(Q, record(key, "once"), "fail-over-" + key), reply -> reply.status() != 503),
          java.time.Duration.ofSeconds(60));
      assertEquals(200, retry.status(), retry::toString);
      assertEquals("true", retry.headers().get("Idempotent-Replayed"), "batch " + i + " answered from its key");
    }
    JsonObject onTheBus = Await.await(survivors.get(0).vertx().eventBus().<JsonObject>request(Addresses.apply(Q),
        record(3, "once"), new DeliveryOptions().addHeader(Addresses.IDEMPOTENCY_KEY, "fail-over-3"))).body();
    assertEquals(epochBefore, onTheBus.getString("epoch"), "the original epoch, before the fail-over");
    assertEquals(4, onTheBus.getLong("seq"));
    assertNotEquals(epochBefore, info(survivors.get(0)).getString("epoch"));
    assertEquals(11, info(survivors.get(0)).getLong("seq"), "no retry was applied again");
  }

  @Test
  void gracefulStopHandsTheQueueOverWithoutLosingABatch() {
    // Three nodes: the two left after the stop are a majority of cluster.members (3).
    Member a = join(config());
    Member b = join(config());
    Member c = join(config());
    for (Member member : List.of(a, b, c)) {
      awaitServing(member);
    }
    Member owner = owner();
    Member other = owner == a ? b : a;
    String epoch = info(other).getString("epoch");
    for (int i = 0; i < 10; i++) {
      publish(other, record(i, "x"));
    }
    cluster.stop(owner);
    for (int i = 10; i < 20; i++) {
      publish(other, record(i, "y"));
    }
    assertNotEquals(owner.nodeId(), info(other).getString("owner"));
    awaitServing(other);
    assertEquals(20, state(Await.await(other.http().backlogLine(Q))).size());
    assertEquals(20, info(other).getLong("seq"), "the new owner carried on with the next seq numbers");
    assertEquals(epoch, info(other).getString("epoch"), "after a hand-over the history goes on in its epoch");
  }

  @Test
  void joiningNodeLoadsTheBacklogFromTheClusterNotFromItsSource() throws IOException {
    Path first = Files.writeString(dir.resolve("first.json"), "[{\"id\":1,\"v\":\"from the first source\"}]");
    Path second = Files.writeString(dir.resolve("second.json"), "[{\"id\":2,\"v\":\"never loaded\"}]");
    Member a = join(nodeWithBacklog(first));
    awaitServing(a);
    publish(a, record(3, "published"));
    Member b = join(nodeWithBacklog(second));
    awaitServing(b);
    String backlog = Await.await(b.http().backlogLine(Q));
    assertEquals(state(Await.await(a.http().backlogLine(Q))).view(), state(backlog).view());
    assertTrue(backlog.contains("from the first source") && !backlog.contains("never loaded"), backlog);
  }

  /** A node of its own backlog file; {@code cluster.members} 1, so that the first node owns the queue alone. */
  private static JsonObject nodeWithBacklog(Path file) {
    return Configs.node(new JsonObject().put(Q,
            Configs.keyed("id", new JsonObject().put("type", "file").put("path", file.toString()))))
        .put("cluster", new JsonObject().put("members", 1));
  }
}
