package org.syncbus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.syncbus.Node;
import org.syncbus.queue.Backlog;
import org.syncbus.queue.Batches;
import org.syncbus.queue.InvalidBatchException;
import org.syncbus.queue.Key;
import org.syncbus.stream.StreamAddresses;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.FakeClock;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestCluster;
import org.syncbus.testing.TestCluster.Member;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * A cluster under a split (README, "Cluster"), on clustered nodes in one JVM ({@link TestCluster},
 * {@code cluster.members} 3): a side without a majority acknowledges nothing and takes nothing
 * over, and says so in {@code /health}; a publish waiting on an owner that leaves the cluster is
 * answered at once; after a merge every mirror follows the owner again and a history that cannot
 * be proven continuous moves to a new epoch; an expiring record keeps its deadline across a
 * fail-over. A real network split is the partition test's; a merge is played here through the
 * node's membership, as Hazelcast reports it. After each test, the leak and blocked-loop checks run
 * over every live member.
 */
class SplitBrainTest {
  private static final String Q = Configs.DEFAULT;
  private static final String PRESENCE = "presence";
  /** Hazelcast's MERGED lifecycle event: the mirrors must follow the owner within this. */
  private static final Duration AFTER_MERGE = Duration.ofSeconds(10);

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void checkNothingLeakedAndStopEverything() {
    cluster.checkNothingLeakedAndClose();
  }

  private static String record(int id, String value) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + id + ",\"v\":\"" + value + "\"}}]";
  }

  private List<Member> threeMembers(JsonObject config) {
    List<Member> members = List.of(cluster.join(config), cluster.join(config), cluster.join(config));
    members.forEach(member -> Await.await(member.http().awaitReady()));
    return members;
  }

  private static JsonObject info(Member member, String queue) {
    return Await.await(member.http().infoOk(queue));
  }

  private static JsonObject health(Member member) {
    return new JsonObject(Await.await(member.http().get("/health")).body());
  }

  /** Publishes through {@code member}, retrying 503s (a change of owner) a bounded number of times. */
  private static void publish(Member member, String queue, String batch) {
    Await.await(Await.eventually(member.http().vertx(), "publish " + batch, 300, 100,
        () -> member.http().publish(queue, batch), reply -> reply.status() == 200), Duration.ofSeconds(60));
  }

  /** The backlog a new subscriber of {@code member} receives, once its mirror serves (it resynchronises after a fail-over). */
  private static Backlog backlog(Member member, String queue, String pk) {
    return Await.await(Await.eventually(member.http().vertx(), "the backlog of " + queue + " on " + member.nodeId(),
        200, 50, () -> backlogOf(member, queue, pk), served -> true));
  }

  /** The backlog a new subscriber of {@code member} receives, without blocking (for bounded retries on a timer). */
  private static Future<Backlog> backlogOf(Member member, String queue, String pk) {
    return member.http().backlogLine(queue).map(line -> {
      try {
        Backlog backlog = new Backlog();
        backlog.apply(Batches.parse(line, pk));
        return backlog;
      } catch (InvalidBatchException e) {
        throw new AssertionError(e);
      }
    });
  }

  private static Future<Long> seqOf(Member member, String queue) {
    return member.http().infoOk(queue).map(info -> info.getLong("seq"));
  }

  private static long maxNoHeartbeatSeconds(Member member) {
    return Long.parseLong(member.manager().getHazelcastInstance().getConfig()
        .getProperty("hazelcast.max.no.heartbeat.seconds"));
  }

  @Test
  void everyMemberProtectsTheQueuesMapWithAMajorityOfClusterMembers() {
    List<Member> members = threeMembers(Configs.defaultNode());
    for (Member member : members) {
      Config running = member.manager().getHazelcastInstance().getConfig();
      SplitBrainProtectionConfig protection = running.getSplitBrainProtectionConfigs().get(ClusterSetup.PROTECTION);
      assertTrue(protection.isEnabled());
      assertEquals(2, protection.getMinimumClusterSize(), "a strict majority of cluster.members (3)");
      assertEquals(SplitBrainProtectionOn.READ_WRITE, protection.getProtectOn());
      MapConfig queues = running.getMapConfig(HazelcastReplication.MAP);
      assertEquals(ClusterSetup.PROTECTION, queues.getSplitBrainProtectionName());
      assertEquals(1, queues.getBackupCount());
      assertEquals(0, queues.getAsyncBackupCount());
      assertEquals(PutIfAbsentMergePolicy.class.getName(), queues.getMergePolicyConfig().getPolicy());
      assertEquals("true", running.getProperty("hazelcast.operation.fail.on.indeterminate.state"));
      assertEquals(true, health(member).getBoolean("quorum"), "/health reports the quorum in a cluster");
    }
  }

  @Test
  void aSideWithoutAMajorityAcknowledgesNothingAndServesItsLastState() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member survivor = members.get(0);
    publish(survivor, Q, record(1, "before"));
    PollStream open = Await.await(survivor.http().pollOk(Q));
    assertTrue(Await.await(open.line(0)).contains("before"));

    cluster.kill(members.get(1));
    cluster.kill(members.get(2));

    HttpReply down = Await.await(Await.eventually(survivor.http().vertx(), "the survivor's /health without quorum", 200, 100,
        () -> survivor.http().get("/health"), reply -> reply.status() == 503), Duration.ofSeconds(30));
    JsonObject body = new JsonObject(down.body());
    assertEquals(false, body.getBoolean("quorum"), down::toString);
    assertEquals("DOWN", body.getString("status"));
    for (int i = 0; i < 5; i++) {
      HttpReply refused = Await.await(survivor.http().publish(Q, record(2, "during" + i)), Duration.ofSeconds(20));
      assertEquals(503, refused.status(), refused::toString);
      assertEquals("1", refused.headers().get("Retry-After"));
    }
    assertFalse(open.ended().isComplete(), "an open poll stays open");
    assertEquals(1, open.lineCount(), "and receives nothing, since nothing was acknowledged");
    Backlog last = backlog(survivor, Q, "id");
    assertEquals(1, last.size(), "a new poll is served the last state");
    assertEquals("before", last.get(Key.of(1)).get("v").asText());
  }

  @Test
  void theFirstNodeOwnsNothingUntilAMajorityJoined() {
    Member first = cluster.join(Configs.defaultNode());
    HttpReply alone = Await.await(first.http().get("/health"));
    assertEquals(503, alone.status(), alone::toString);
    assertEquals(false, new JsonObject(alone.body()).getBoolean("quorum"));
    assertEquals(false, new JsonObject(alone.body()).getJsonObject("queues").getJsonObject(Q).getBoolean("ready"));
    HttpReply refused = Await.await(first.http().publish(Q, record(1, "alone")));
    assertEquals(503, refused.status(), refused::toString);

    Member second = cluster.join(Configs.defaultNode());
    Await.await(first.http().awaitReady());
    Await.await(second.http().awaitReady());
    assertEquals(true, health(first).getBoolean("quorum"));
    publish(first, Q, record(1, "with a majority"));
  }

  /**
   * A node one step into a merge (Hazelcast's MERGING, played here) takes no queue over, whatever
   * it sees: its view of the members is in flux, and a live owner could count as gone. Both
   * survivors of the owner's death are merging; only the one whose merge ends may take over.
   */
  @Test
  void aNodeInTheMiddleOfAMergeTakesNothingOverUntilItsMergeEnds() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member owner = cluster.owner(Q);
    List<Member> survivors = members.stream().filter(member -> member != owner).toList();
    Member ending = survivors.get(1);
    Member stillMerging = survivors.get(0);
    for (Member survivor : survivors) {
      Node.of(survivor.vertx()).membership().stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGING));
      assertTrue(Node.of(survivor.vertx()).membership().merging());
    }

    cluster.kill(owner);
    for (Member survivor : survivors) {
      Await.await(Await.eventually(survivor.vertx(), "the owner removed on " + survivor.nodeId(), 200, 50,
          () -> Future.succeededFuture(Node.of(survivor.vertx()).membership().size()), size -> size == 2),
          Duration.ofSeconds(maxNoHeartbeatSeconds(ending) + 5));
    }
    Node.of(ending.vertx()).membership().stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));
    assertFalse(Node.of(ending.vertx()).membership().merging());

    publish(ending, Q, record(1, "after the merge"));
    assertEquals(ending.nodeId(), info(ending, Q).getString("owner"),
        () -> "the queue was taken over by " + info(ending, Q).getString("owner") + ", not by the node whose merge"
            + " ended; " + stillMerging.nodeId() + " was still merging");
  }

  @Test
  void aPublishWaitingOnAnOwnerThatDiesIsRefusedWhenHazelcastRemovesIt() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member owner = cluster.owner(Q);
    Member through = members.stream().filter(member -> member != owner).findFirst().orElseThrow();
    // The batch reaches the owner's node, which never answers it: it is in flight when the owner dies.
    Promise<Void> arrived = Promise.promise();
    String ownersApply = StreamAddresses.applyAt(Q, owner.nodeId());
    owner.vertx().eventBus().addInboundInterceptor(delivery -> {
      if (delivery.message().address().equals(ownersApply)) {
        arrived.tryComplete();
      } else {
        delivery.next();
      }
    });
    Future<HttpReply> inFlight = through.http().publish(Q, record(1, "in flight"));
    Await.await(arrived.future());

    long killed = System.nanoTime();
    cluster.kill(owner);
    Duration bound = Duration.ofSeconds(maxNoHeartbeatSeconds(through) + 2);
    HttpReply reply = Await.await(inFlight, bound);
    Duration took = Duration.ofNanos(System.nanoTime() - killed);

    assertEquals(503, reply.status(), reply::toString);
    assertEquals("1", reply.headers().get("Retry-After"));
    assertTrue(reply.body().contains("left the cluster before answering"), reply::toString);
    assertTrue(took.compareTo(bound) <= 0, "answered " + took.toMillis() + " ms after the kill");
    publish(through, Q, record(1, "retried"));
  }

  @Test
  void afterAMergeAMirrorThatMissedBatchesFollowsTheOwnerAgain() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member owner = cluster.owner(Q);
    Member apart = members.stream().filter(member -> member != owner).findFirst().orElseThrow();
    publish(owner, Q, record(1, "seen by all"));
    Await.await(Await.eventually(apart.http().vertx(), "the mirror at seq 1", 100, 50,
        () -> seqOf(apart, Q), seq -> seq == 1));
    // While "apart", this node's mirror hears nothing of the owner's stream, and has no later batch
    // to reveal the gap: it would serve its old backlog for ever.
    AtomicBoolean cut = new AtomicBoolean(true);
    apart.vertx().eventBus().addInboundInterceptor(delivery -> {
      if (!(cut.get() && delivery.message().address().equals(StreamAddresses.stream(Q)))) {
        delivery.next();
      }
    });
    publish(owner, Q, record(2, "missed while apart"));
    String epoch = info(owner, Q).getString("epoch");
    assertEquals(1, info(apart, Q).getLong("seq"));
    PollStream open = Await.await(apart.http().pollOk(Q));
    Await.await(open.line(0));
    cut.set(false);

    long merged = System.nanoTime();
    Node.of(apart.vertx()).membership().stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));

    Await.await(open.ended(), AFTER_MERGE);
    Await.await(Await.eventually(apart.http().vertx(), "the mirror back at the owner's seq", 200, 25,
        () -> seqOf(apart, Q), seq -> seq == 2), AFTER_MERGE);
    assertTrue(Duration.ofNanos(System.nanoTime() - merged).compareTo(AFTER_MERGE) <= 0);
    assertEquals(backlog(owner, Q, "id").view(), backlog(apart, Q, "id").view(), "a new poll gets the owner's backlog");

    String query = TestNode.pollPath(Q) + Tokens.pollQuery(apart.http().pollToken(Q)) + "&format=seq&since=";
    PollStream resumed = Await.await(apart.http().openPoll(query + epoch + ":2"));
    assertEquals(true, new JsonObject(Await.await(resumed.line(0))).getBoolean("resumed"), "resumed at the owner's seq");
    PollStream reset = Await.await(apart.http().openPoll(query + epoch + ":1"));
    assertEquals(true, new JsonObject(Await.await(reset.line(0))).getBoolean("reset"),
        "the batches before the merge are not retained by the resynchronised mirror: reset");
  }

  /** What a merge that kept the other side's record looks like to an owner: its term ended meanwhile. */
  record EndTerm() implements EntryProcessor<String, QueueRecord, Long> {
    @Override
    public Long process(Map.Entry<String, QueueRecord> entry) {
      QueueRecord record = entry.getValue();
      record.term++;
      entry.setValue(record);
      return record.term;
    }
  }

  @Test
  void anOwnerWhoseTermEndedWhileApartStepsDownAfterTheMergeAndItsHistoryMovesToANewEpoch() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member owner = cluster.owner(Q);
    publish(owner, Q, record(1, "kept"));
    String epoch = info(owner, Q).getString("epoch");
    IMap<String, QueueRecord> records = owner.manager().getHazelcastInstance().getMap(HazelcastReplication.MAP);
    records.executeOnKey(Q, new EndTerm());

    Node.of(owner.vertx()).membership().stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));

    for (Member member : members) {
      JsonObject info = Await.await(Await.eventually(member.http().vertx(), "a new epoch on " + member.nodeId(), 200, 50,
          () -> member.http().infoOk(Q), seen -> !seen.getString("epoch").equals(epoch)), AFTER_MERGE);
      assertEquals(1, info.getLong("seq"), "the history goes on from the same seq");
    }
    String newEpoch = info(owner, Q).getString("epoch");
    for (Member member : members) {
      assertEquals(newEpoch, info(member, Q).getString("epoch"));
      assertEquals("kept", backlog(member, Q, "id").get(Key.of(1)).get("v").asText());
    }
    assertNotEquals(epoch, newEpoch);
  }

  @Test
  void aMirrorResynchronisingAfterAMergeIsNeverHandedAHistoryWhoseTermEnded() {
    List<Member> members = threeMembers(Configs.defaultNode());
    Member owner = cluster.owner(Q);
    Member merged = members.stream().filter(member -> member != owner).findFirst().orElseThrow();
    publish(owner, Q, record(1, "kept"));
    String epoch = info(owner, Q).getString("epoch");
    IMap<String, QueueRecord> records = owner.manager().getHazelcastInstance().getMap(HazelcastReplication.MAP);
    records.executeOnKey(Q, new EndTerm());

    // The owner hears of no merge; the merged node's mirror asks it for its backlog.
    Node.of(merged.vertx()).membership().stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));

    JsonObject info = Await.await(Await.eventually(merged.http().vertx(), "a new epoch on the merged node", 200, 50,
        () -> merged.http().infoOk(Q), seen -> !seen.getString("epoch").equals(epoch)), AFTER_MERGE);
    assertEquals(1, info.getLong("seq"));
    assertEquals("kept", backlog(merged, Q, "id").get(Key.of(1)).get("v").asText());
  }

  @Test
  void expiringRecordsKeepTheirDeadlinesAcrossAFailOver() {
    FakeClock clock = FakeClock.atSystemTime();
    JsonObject presence = Configs.keyed("login").put("type", "expiring").put("ttlSeconds", 60);
    JsonObject config = Configs.node(new JsonObject().put(PRESENCE, presence));
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(cluster.join(config, clock));
    }
    members.forEach(member -> Await.await(member.http().awaitReady()));
    Member owner = cluster.owner(PRESENCE);
    List<Member> survivors = new ArrayList<>(members);
    survivors.remove(owner);

    publish(survivors.get(0), PRESENCE, "[{\"type\":\"update\",\"data\":{\"login\":\"alice\"}}]"); // runs out at 60 s
    clock.advance(Duration.ofSeconds(40));
    publish(survivors.get(0), PRESENCE, "[{\"type\":\"update\",\"data\":{\"login\":\"bob\"}}]"); // at 100 s
    cluster.kill(owner);
    publish(survivors.get(1), PRESENCE, "[{\"type\":\"update\",\"data\":{\"login\":\"carol\"}}]"); // at 100 s
    assertTrue(backlog(survivors.get(1), PRESENCE, "login").contains(Key.of("alice")), "not run out at 40 s");

    // 65 s: alice ran out at 60 s, though the new owner rebuilt the queue at 40 s.
    clock.advance(Duration.ofSeconds(25));
    for (Member survivor : survivors) {
      Backlog left = Await.await(Await.eventually(survivor.http().vertx(), "alice expired on " + survivor.nodeId(),
          100, 100, () -> backlogOf(survivor, PRESENCE, "login"), backlog -> !backlog.contains(Key.of("alice"))),
          Duration.ofSeconds(20));
      assertTrue(left.contains(Key.of("bob")) && left.contains(Key.of("carol")), "bob and carol run out at 100 s");
    }
  }
}
