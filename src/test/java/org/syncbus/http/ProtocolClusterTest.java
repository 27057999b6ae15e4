package org.syncbus.http;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.syncbus.testing.Await;
import org.syncbus.testing.TestCluster;
import org.syncbus.testing.TestCluster.Member;
import org.syncbus.testing.TestNode;

/**
 * The protocol rules on a cluster of three nodes in one JVM (README, "Cluster": any node serves
 * everything). One cluster serves the whole class, since a member takes seconds to join; each test
 * takes queues of its own from a pool configured on every member, and its publisher and subscriber
 * are the two members that do not own its queue. After each test, the leak check of
 * {@link org.syncbus.testing.IntegrationTest} runs on every member through this test's clients,
 * and no event loop of any member may have blocked.
 */
class ProtocolClusterTest extends ProtocolRules {
  private static final int MEMBERS = 3;
  /** One queue per test (a parameterised test's every case counts), and some to spare. */
  private static final List<String> QUEUES = IntStream.range(0, 72).mapToObj(i -> "rules" + i).toList();
  private static final List<String> OTHERS = IntStream.range(0, 6).mapToObj(i -> "users" + i).toList();

  private static TestCluster cluster;
  private static int queuesTaken;
  private static int othersTaken;

  private String queue;
  private String other;
  private List<TestNode> nodes;
  private TestNode publisher;
  private TestNode subscriber;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(MEMBERS, config(QUEUES, OTHERS));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void takeAQueueAndChooseRoles() {
    queue = take(QUEUES, queuesTaken++);
    String owner = cluster.owner(queue).nodeId();
    nodes = cluster.members().stream().map(member -> track(member.client(vertx))).toList();
    List<Member> others = cluster.members().stream().filter(member -> !member.nodeId().equals(owner)).toList();
    publisher = nodes.get(cluster.members().indexOf(others.get(0)));
    subscriber = nodes.get(cluster.members().indexOf(others.get(1)));
  }

  @AfterEach
  void noEventLoopOfAnyMemberBlocked() {
    cluster.assertNoneBlocked();
  }

  private static String take(List<String> pool, int index) {
    if (index >= pool.size()) {
      throw new IllegalStateException("the pool of " + pool.size() + " queues is used up: configure more");
    }
    return pool.get(index);
  }

  @Override
  protected TestNode publisher() {
    return publisher;
  }

  @Override
  protected TestNode subscriber() {
    return subscriber;
  }

  @Override
  protected List<TestNode> nodes() {
    return nodes;
  }

  @Override
  protected String queue() {
    return queue;
  }

  @Override
  protected String otherQueue() {
    if (other == null) {
      other = take(OTHERS, othersTaken++);
    }
    return other;
  }

  /** A member other than the owner serves a batch once its mirror has followed the owner's stream. */
  @Override
  protected void awaitServed(TestNode node, String queue, long seq) {
    Await.await(Await.eventually(vertx, "node " + node.nodeId() + " serving " + queue + " at seq " + seq, 200, 25,
        () -> node.infoOk(queue), info -> info.getLong("seq") == seq));
  }
}
