package org.syncbus.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.SyncbusVerticle;
import org.syncbus.queue.Change;
import org.syncbus.queue.Key;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.CuttableProxy;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/** {@link SyncClient} against a real node on loopback. */
class SyncClientTest extends IntegrationTest {
  @TempDir
  Path dir;

  private final List<SyncClient> clients = new CopyOnWriteArrayList<>();

  /** Runs before the base class's leak check, which needs every subscription gone. */
  @AfterEach
  void closeClients() {
    clients.forEach(client -> Await.await(client.close()));
  }

  private SyncClient closedAfterTest(SyncClient client) {
    clients.add(client);
    return client;
  }

  /** What a listener saw: one entry per line, with a copy of the state and the changes. */
  static final class Seen implements SyncListener {
    record Call(Map<Key, ObjectNode> state, Map<Key, Change> changes) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Runnable> waiters = new CopyOnWriteArrayList<>();

    @Override
    public void onUpdate(Map<Key, ObjectNode> state, Map<Key, Change> changes) {
      calls.add(new Call(new LinkedHashMap<>(state), new LinkedHashMap<>(changes)));
      waiters.forEach(Runnable::run);
    }

    /** The first call from {@code from} on that {@code accepted}. */
    Future<Call> next(int from, Predicate<Call> accepted) {
      Promise<Call> promise = Promise.promise();
      Runnable check = () -> {
        for (int i = from; i < calls.size(); i++) {
          if (accepted.test(calls.get(i))) {
            promise.tryComplete(calls.get(i));
            return;
          }
        }
      };
      waiters.add(check);
      check.run();
      return promise.future();
    }
  }

  private SyncClient client(TestNode node, String queue) {
    SyncClient client = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:" + node.port())
        .setQueue(queue)
        .setPublishSecret(Configs.PUBLISH_SECRET)
        .setSubscribeSecret(Configs.SUBSCRIBE_SECRET));
    return closedAfterTest(client);
  }

  private static JsonObject update(Object id, String field, Object value) {
    return new JsonObject().put("type", "update").put("data", new JsonObject().put("id", id).put(field, value));
  }

  private static JsonObject delete(Object id) {
    return new JsonObject().put("type", "delete").put("data", new JsonObject().put("id", id));
  }

  @Test
  void firstLineReportsEveryRecordCreatedThenEachLineItsChanges() {
    TestNode node = start(Configs.defaultNode());
    SyncClient client = client(node, Configs.DEFAULT);
    await(client.sendUpdates(new JsonArray().add(update(1, "name", "ada")).add(update("1", "name", "string one"))));
    Seen seen = new Seen();
    client.poll(Set.of(), seen);
    Seen.Call first = await(seen.next(0, call -> true));
    assertEquals(Map.of(Key.of(1), Change.CREATED, Key.of("1"), Change.CREATED), first.changes());
    assertEquals(List.of(Key.of(1), Key.of("1")), new ArrayList<>(first.state().keySet()));

    await(client.sendUpdates(new JsonArray().add(update(1, "name", "lovelace")).add(delete("1")).add(update(2, "name", "bob"))));
    Seen.Call second = await(seen.next(1, call -> true));
    assertEquals(Map.of(Key.of(1), Change.UPDATED, Key.of("1"), Change.DELETED, Key.of(2), Change.CREATED), second.changes());
    assertEquals("lovelace", second.state().get(Key.of(1)).get("name").asText());
    assertEquals(Set.of(Key.of(1), Key.of(2)), second.state().keySet());
  }

  @Test
  void watchReportsAnUpdateOnlyWhenAWatchedFieldChanged() {
    TestNode node = start(Configs.defaultNode());
    SyncClient client = client(node, Configs.DEFAULT);
    Seen seen = new Seen();
    client.poll(Set.of("room"), seen);
    await(seen.next(0, call -> true));
    await(client.sendUpdate(new JsonObject().put("type", "update")
        .put("data", new JsonObject().put("id", 7).put("room", "a").put("seen", 1))));
    await(seen.next(1, call -> call.changes().equals(Map.of(Key.of(7), Change.CREATED))));
    await(client.sendUpdate(new JsonObject().put("type", "update")
        .put("data", new JsonObject().put("id", 7).put("room", "a").put("seen", 2))));
    Seen.Call unwatched = await(seen.next(2, call -> true));
    assertEquals(Map.of(), unwatched.changes(), "only an unwatched field changed");
    assertEquals(2, unwatched.state().get(Key.of(7)).get("seen").asInt(), "the state is current all the same");
    await(client.sendUpdate(new JsonObject().put("type", "update")
        .put("data", new JsonObject().put("id", 7).put("room", "b").put("seen", 2))));
    assertEquals(Map.of(Key.of(7), Change.UPDATED), await(seen.next(3, call -> true)).changes());
  }

  @Test
  void namedQueueAndDefaultQueueAreBothReachable() {
    TestNode node = start(Configs.node(new JsonObject()
        .put(Configs.DEFAULT, Configs.keyed("id"))
        .put("machines", Configs.keyed("mac"))));
    SyncClient machines = client(node, "machines");
    SyncClient defaults = client(node, Configs.DEFAULT);
    await(machines.sendUpdate(new JsonObject().put("type", "update").put("data", new JsonObject().put("mac", "aa:bb"))));
    await(defaults.sendUpdate(update(3, "x", 1)));
    Seen seenMachines = new Seen();
    Seen seenDefaults = new Seen();
    machines.poll(Set.of(), seenMachines);
    defaults.poll(Set.of(), seenDefaults);
    assertEquals(Set.of(Key.of("aa:bb")), await(seenMachines.next(0, call -> true)).state().keySet());
    assertEquals(Set.of(Key.of(3)), await(seenDefaults.next(0, call -> true)).state().keySet());
  }

  @Test
  void refusedPublishFailsWithTheServersMessage() {
    TestNode node = start(Configs.defaultNode());
    SyncClient wrongSecret = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:" + node.port())
        .setPublishSecret("not-the-secret"));
    closedAfterTest(wrongSecret);
    SyncException forbidden = assertInstanceOf(SyncException.class,
        Await.awaitFailure(wrongSecret.sendUpdate(update(1, "x", 1))));
    assertEquals(403, forbidden.status());
    assertEquals("Invalid token", forbidden.getMessage());

    SyncException invalid = assertInstanceOf(SyncException.class,
        Await.awaitFailure(client(node, Configs.DEFAULT).sendUpdates("[{\"type\":\"update\",\"data\":{\"name\":\"x\"}}]")));
    assertEquals(400, invalid.status());
    assertTrue(invalid.getMessage().contains("batch[0].data: missing key field \"id\""), invalid.getMessage());
  }

  @Test
  void refusedPollEndsTheSubscriptionWithTheServersMessage() {
    TestNode node = start(Configs.defaultNode());
    SyncClient wrongSecret = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:" + node.port())
        .setPk("id").setSubscribeSecret("not-the-secret"));
    closedAfterTest(wrongSecret);
    Subscription subscription = wrongSecret.poll(Set.of(), (state, changes) -> { });
    SyncException forbidden = assertInstanceOf(SyncException.class, Await.awaitFailure(subscription.done()));
    assertEquals(403, forbidden.status());
    assertEquals(ConnectionState.CLOSED, subscription.state());
  }

  @Test
  void publishingWithoutAPublishSecretFailsAtOnce() {
    SyncClient client = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:1").setSubscribeSecret("s"));
    closedAfterTest(client);
    Throwable error = Await.awaitFailure(client.sendUpdate(update(1, "x", 1)));
    assertInstanceOf(IllegalStateException.class, error);
    assertTrue(error.getMessage().contains("no publish secret"), error.getMessage());
  }

  @Test
  void serverRestartedWhilePollingRebuildsTheStateAndReportsOnlyRealDifferences() throws IOException {
    int port = freePort();
    Path backlog = dir.resolve("backlog.json");
    Files.writeString(backlog, "[{\"id\":1,\"v\":\"same\"},{\"id\":2,\"v\":\"old\"},{\"id\":3,\"v\":\"gone\"}]");
    Vertx first = Vertx.vertx();
    Await.await(first.deployVerticle(new SyncbusVerticle(), new DeploymentOptions().setConfig(fileNode(port, backlog))));

    SyncClient client = SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:" + port)
        .setSubscribeSecret(Configs.SUBSCRIBE_SECRET)
        .setReconnectInitial(java.time.Duration.ofMillis(20))
        .setReconnectMax(java.time.Duration.ofMillis(200)));
    closedAfterTest(client);
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    Seen seen = new Seen();
    Subscription subscription = client.poll(Set.of(), seen).stateHandler(states::add);
    assertEquals(3, await(seen.next(0, call -> true)).changes().size());

    Files.writeString(backlog, "[{\"id\":1,\"v\":\"same\"},{\"id\":2,\"v\":\"new\"},{\"id\":4,\"v\":\"born\"}]");
    Await.await(first.close());
    Vertx second = Vertx.vertx();
    try {
      Await.await(second.deployVerticle(new SyncbusVerticle(), new DeploymentOptions().setConfig(fileNode(port, backlog))));
      Seen.Call rebuilt = await(seen.next(1, call -> call.state().containsKey(Key.of(4))));
      assertEquals(Map.of(Key.of(2), Change.UPDATED, Key.of(4), Change.CREATED, Key.of(3), Change.DELETED),
          rebuilt.changes(), "record 1 did not change and must not be reported");
      assertEquals(List.of(Key.of(1), Key.of(2), Key.of(4)), new ArrayList<>(rebuilt.state().keySet()));
      assertEquals(ConnectionState.CONNECTED, subscription.state());
      assertEquals(StreamStart.RESET, subscription.lastStart(), "a restarted server cannot resume: the backlog is reset");
      assertTrue(states.contains(ConnectionState.RECONNECTING), "states seen: " + states);
    } finally {
      Await.await(client.close());
      Await.await(second.close());
    }
  }

  @Test
  void lostConnectionResumesWithExactlyTheMissedBatches() {
    TestNode node = start(Configs.defaultNode());
    CuttableProxy proxy = await(CuttableProxy.start(vertx, node.port()));
    closeAfter(() -> Await.await(proxy.close()));
    SyncClient publisher = client(node, Configs.DEFAULT);
    SyncClient follower = closedAfterTest(SyncClient.create(vertx, new SyncClientOptions("http://127.0.0.1:" + proxy.port())
        .setSubscribeSecret(Configs.SUBSCRIBE_SECRET)
        .setReconnectInitial(java.time.Duration.ofMillis(100))));
    await(publisher.sendUpdates(new JsonArray().add(update(1, "v", 1)).add(update(2, "v", 1))));
    Seen seen = new Seen();
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    Subscription subscription = follower.poll(Set.of(), seen).stateHandler(states::add);
    await(seen.next(0, call -> true));
    assertEquals(StreamStart.SNAPSHOT, subscription.lastStart());

    await(proxy.cut());
    await(publisher.sendUpdate(update(2, "v", 2)));
    await(publisher.sendUpdate(update(3, "v", 1)));
    Seen.Call caughtUp = await(seen.next(1, call -> call.state().containsKey(Key.of(3))));
    assertEquals(StreamStart.RESUMED, subscription.lastStart(), "the client resumed instead of downloading the backlog");
    assertTrue(states.contains(ConnectionState.RECONNECTING), "states seen: " + states);
    assertEquals(Map.of(Key.of(3), Change.CREATED), caughtUp.changes());
    assertEquals(Map.of(Key.of(2), Change.UPDATED), seen.calls.get(seen.calls.indexOf(caughtUp) - 1).changes(),
        "the missed batches arrive one by one, in order");
    assertEquals(2, caughtUp.state().get(Key.of(2)).get("v").asInt());
  }

  @Test
  void blockingClientPublishesAndFollowsWithoutVertx() throws Exception {
    TestNode node = start(Configs.defaultNode());
    SyncClientOptions options = new SyncClientOptions("http://127.0.0.1:" + node.port())
        .setPublishSecret(Configs.PUBLISH_SECRET)
        .setSubscribeSecret(Configs.SUBSCRIBE_SECRET);
    try (BlockingSyncClient client = new BlockingSyncClient(options)) {
      client.sendUpdate(Map.of("type", "update", "data", Map.of("id", 1, "name", "ada")));
      Seen seen = new Seen();
      client.poll(Set.of(), seen);
      assertEquals(Map.of(Key.of(1), Change.CREATED), await(seen.next(0, call -> true)).changes());
      client.sendUpdates(List.of(Map.of("type", "delete", "data", Map.of("id", 1))));
      assertEquals(Map.of(Key.of(1), Change.DELETED), await(seen.next(1, call -> true)).changes());
      SyncException refused = org.junit.jupiter.api.Assertions.assertThrows(SyncException.class,
          () -> client.sendUpdates("[{\"type\":\"nope\"}]"));
      assertEquals(400, refused.status());
    }
  }

  private static JsonObject fileNode(int port, Path backlog) {
    JsonObject config = Configs.node(new JsonObject().put(Configs.DEFAULT,
        Configs.keyed("id", new JsonObject().put("type", "file").put("path", backlog.toString()))));
    config.getJsonObject("http").put("port", port);
    return config;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
