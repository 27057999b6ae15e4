package org.syncbus.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.syncbus.Node;
import org.syncbus.SyncbusVerticle;
import org.syncbus.cluster.ClusterSetup;
import org.syncbus.config.SyncbusConfig;

/**
 * Clustered syncbus nodes in one JVM, joined through the shipped {@code conf/cluster.xml} (README,
 * "Cluster") under a cluster name of their own, so that test classes and concurrent builds never
 * meet, with the protection the launcher gives a real node for the {@code cluster.members} of each
 * member's configuration ({@link ClusterSetup}). Hazelcast's join pause is kept: without it a node may start as a cluster of its own, own a
 * queue there and merge later (a split brain at start, which no test here is about); a member
 * therefore takes several seconds to join, and a class that can share one cluster between its
 * tests should.
 *
 * <p>Every member's Vert.x, and the clients' one, runs with the {@link EventLoopCheck}; the
 * clients are a Vert.x of their own, so that they outlive any member. {@link #checkNothingLeaked()}
 * is the check {@link IntegrationTest} makes after each test, over every live member: every stream
 * closed and every queue counting no subscriber, and no event loop blocked.
 */
public final class TestCluster implements AutoCloseable {
  /** Hazelcast narrates every join and migration at INFO; held so the level is not collected. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  static {
    HAZELCAST.setLevel(Level.WARNING);
  }

  private final String name = "syncbus-test-" + UUID.randomUUID();
  private final EventLoopCheck loops = new EventLoopCheck();
  private final Vertx clients;
  private final List<Member> members = new ArrayList<>();

  /** One clustered node: its Vert.x, its Hazelcast, its configuration and a client's view of it. */
  public record Member(Vertx vertx, HazelcastClusterManager manager, JsonObject config, TestNode http) {
    public String nodeId() {
      return Node.of(vertx).id();
    }

    /** The member seen through clients of {@code clients} (a test's own Vert.x). */
    public TestNode client(Vertx clients) {
      return new TestNode(clients, vertx, http.port(), config);
    }
  }

  public TestCluster() {
    EventLoopCheck.warmUpOnce();
    clients = loops.watch(Vertx.vertx(EventLoopCheck.options()), "cluster clients");
  }

  /** Starts {@code size} members with {@code config}, one after another, and waits until every queue is ready on each. */
  public static TestCluster start(int size, JsonObject config) {
    TestCluster cluster = new TestCluster();
    try {
      for (int i = 0; i < size; i++) {
        cluster.join(config);
      }
      for (Member member : cluster.members()) {
        Await.await(member.http().awaitReady());
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts a member with {@code config} and waits until every member sees all the others. */
  public Member join(JsonObject config) {
    return join(config, Clock.systemUTC());
  }

  /** Starts a member with {@code config} whose node reads time from {@code clock}; waits as {@link #join(JsonObject)}. */
  public Member join(JsonObject config, Clock clock) {
    Config hazelcast;
    try (InputStream xml = new FileInputStream("conf/cluster.xml")) {
      hazelcast = new XmlConfigBuilder(xml).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    hazelcast.setClusterName(name);
    ClusterSetup.protect(hazelcast, SyncbusConfig.parse(config, Map.of()).cluster().members());
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    Vertx vertx = Await.await(Vertx.builder()
        .with(EventLoopCheck.options().setEventBusOptions(new EventBusOptions().setHost(TestNode.HOST)))
        .withClusterManager(manager)
        .buildClustered());
    loops.watch(vertx, "cluster member " + (members().size() + 1));
    try {
      Await.await(vertx.deployVerticle(new SyncbusVerticle(clock), new DeploymentOptions().setConfig(config.copy())));
    } catch (AssertionError e) {
      Await.await(vertx.close().recover(closing -> Future.succeededFuture()));
      throw e;
    }
    Member member = new Member(vertx, manager, config, new TestNode(clients, vertx, Node.of(vertx).httpPort(), config));
    synchronized (this) {
      members.add(member);
    }
    awaitOneCluster();
    return member;
  }

  /**
   * Waits until every member sees all the others: up to 30 s, for a loaded 2-core machine where
   * Hazelcast's join (its 5 s pause included) is slow.
   */
  private void awaitOneCluster() {
    List<Member> all = members();
    for (Member member : all) {
      Await.await(Await.eventually(clients, "member sees " + all.size() + " members", 300, 100,
          () -> Future.succeededFuture(member.manager().getHazelcastInstance().getCluster().getMembers().size()),
          size -> size == all.size()));
    }
  }

  /** The live members, in the order they joined. */
  public synchronized List<Member> members() {
    return List.copyOf(members);
  }

  /** The member that owns {@code queue}, as the first member's {@code /queues/Q/info} names it. */
  public Member owner(String queue) {
    String owner = Await.await(members().get(0).http().infoOk(queue)).getString("owner");
    return members().stream().filter(m -> m.nodeId().equals(owner)).findFirst()
        .orElseThrow(() -> new AssertionError("no member is the owner " + owner + " of " + queue));
  }

  /**
   * A crash: the member's Hazelcast vanishes without a word, then its event bus, as under SIGKILL
   * (ClusterIT kills a real process). It is no longer a member.
   */
  public void kill(Member member) {
    forget(member);
    member.manager().getHazelcastInstance().getLifecycleService().terminate();
    Await.await(member.vertx().close().recover(e -> Future.succeededFuture()));
  }

  /** A graceful stop: the member hands its queues over and leaves. It is no longer a member. */
  public void stop(Member member) {
    forget(member);
    Await.await(member.vertx().close());
  }

  private void forget(Member member) {
    synchronized (this) {
      members.remove(member);
    }
    // Its clients' streams are gone with it; closing them only releases the client side.
    Await.await(member.http().closeStreams().eventually(member.http()::close));
  }

  /**
   * After each test: every stream the members' clients opened is closed and every queue of every
   * live member counts no subscriber; no event loop of any member (or of the clients) blocked.
   */
  public void checkNothingLeaked() {
    for (Member member : members()) {
      Await.await(member.http().closeStreamsAndCheckNoSubscribers());
    }
    assertNoneBlocked();
  }

  /** A test's end: {@link #checkNothingLeaked()}, then {@link #close()} whatever the check found. */
  public void checkNothingLeakedAndClose() {
    try {
      checkNothingLeaked();
    } finally {
      close();
    }
  }

  /** No event loop of any member, nor of the clients, blocked since the last check. */
  public void assertNoneBlocked() {
    loops.assertNoneBlocked();
  }

  /** Stops every member (a member that fails to stop does not keep the others running) and the clients. */
  @Override
  public void close() {
    for (Member member : members()) {
      Await.await(member.http().close().recover(e -> Future.succeededFuture()));
      Await.await(member.vertx().close().recover(e -> Future.succeededFuture()));
    }
    synchronized (this) {
      members.clear();
    }
    Await.await(clients.close());
  }
}
