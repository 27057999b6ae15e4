package org.syncbus.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestCluster;
import org.syncbus.testing.TestCluster.Member;

/**
 * The console of a clustered node (README, "Console"): every member listed with the queues it
 * owns, the quorum, and subscribers counted on this node and, asked over the event bus, in the
 * whole cluster.
 */
class ConsoleClusterTest {
  private static final String Q = Configs.DEFAULT;
  private static final String ADMIN_TOKEN = "console-cluster-admin-token-0123";

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void checkNothingLeakedAndStopEverything() {
    cluster.checkNothingLeakedAndClose();
  }

  private static JsonObject overview(Member member) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + ADMIN_TOKEN);
    HttpReply reply = Await.await(member.http().send(HttpMethod.GET, "/console/api/overview", headers, null));
    assertEquals(200, reply.status(), reply::toString);
    return new JsonObject(reply.body());
  }

  @Test
  void everyMemberIsListedAndTheTotalsAddUpTheSubscribersOfEveryMember() {
    JsonObject config = Configs.defaultNode()
        .put("admin", new JsonObject().put("token", ADMIN_TOKEN))
        .put("cluster", new JsonObject().put("members", 2));
    Member a = cluster.join(config);
    Member b = cluster.join(config);
    for (Member member : List.of(a, b)) {
      Await.await(member.http().awaitReady());
    }
    PollStream onB = Await.await(b.http().pollOk(Q));
    Await.await(onB.line(0));

    JsonObject overview = overview(a);
    JsonObject node = overview.getJsonObject("node");
    assertEquals(a.nodeId(), node.getString("id"));
    assertTrue(node.getBoolean("clustered") && node.getBoolean("quorum"), node::encode);
    assertEquals(2, node.getInteger("members"));
    assertEquals(2, node.getInteger("majority"));
    JsonArray members = overview.getJsonArray("members");
    assertEquals(Set.of(a.nodeId(), b.nodeId()),
        members.stream().map(member -> ((JsonObject) member).getString("id")).collect(Collectors.toSet()));
    String owner = cluster.owner(Q).nodeId();
    for (Object listed : members) {
      JsonObject member = (JsonObject) listed;
      assertTrue(member.getBoolean("answered"), member::encode);
      assertEquals(member.getString("id").equals(owner) ? new JsonArray().add(Q) : new JsonArray(), member.getJsonArray("owns"));
      assertEquals(member.getString("id").equals(b.nodeId()) ? 1 : 0, member.getInteger("subscribers"));
    }
    JsonObject subscribers = overview.getJsonArray("queues").getJsonObject(0).getJsonObject("subscribers");
    assertEquals(0, subscribers.getJsonObject("node").getInteger("poll"), "none on this node");
    assertEquals(1, subscribers.getJsonObject("total").getInteger("poll"), "one on the other");
    Await.await(onB.close());
  }
}
