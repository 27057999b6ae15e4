package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;

/**
 * PROTOCOL.md, "Records, updates, batches", beyond HTTP: a key is the same key whether its batch
 * came over HTTP or over the event bus. The rules of keys and values over HTTP are
 * {@link ProtocolRules}'.
 */
class RecordValuesTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  @Test
  void anIntegerKeyIsTheSameKeyOverHttpAndOverTheEventBus() {
    TestNode node = start(Configs.defaultNode());
    JsonArray viaBus = new JsonArray()
        .add(new JsonObject().put("type", "update").put("data", new JsonObject().put("id", 5L).put("via", "bus")))
        .add(new JsonObject().put("type", "update").put("data", new JsonObject().put("id", 6).put("via", "bus")));

    JsonObject reply = await(vertx.eventBus().<JsonObject>request(Addresses.apply(Q), viaBus)).body();
    assertEquals(1L, reply.getLong("seq"), reply::encode);
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":5,\"via\":\"http\"}},"
        + "{\"type\":\"delete\",\"data\":{\"id\":6}}]"));

    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":5,\"via\":\"http\"}}]", await(node.backlogLine(Q)));
  }
}
