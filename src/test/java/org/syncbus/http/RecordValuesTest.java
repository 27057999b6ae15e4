package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestJson;
import org.syncbus.testing.TestNode;

/** PROTOCOL.md, "Records, updates, batches": keys and values survive exactly. */
class RecordValuesTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  @Test
  void integerKeysOfAnySizeArePreserved() {
    TestNode node = start(Configs.defaultNode());
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    String[] keys = {
        "0", "-1", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890123456789012345678901234567890",
    };
    StringBuilder batch = new StringBuilder("[");
    for (String key : keys) {
      batch.append(batch.length() > 1 ? "," : "").append("{\"type\":\"update\",\"data\":{\"id\":").append(key).append("}}");
    }
    batch.append("]");

    await(node.publishOk(Q, batch.toString()));

    String line = await(poll.line(1));
    assertJsonEquals(batch.toString(), line);
    String backlog = await(node.backlogLine(Q));
    assertJsonEquals(batch.toString(), backlog);
    JsonNode parsed = TestJson.parse(backlog);
    for (int i = 0; i < keys.length; i++) {
      JsonNode id = parsed.get(i).get("data").get("id");
      assertTrue(id.isIntegralNumber(), () -> "an integer key came back as " + id);
      assertEquals(new BigInteger(keys[i]), id.bigIntegerValue());
      assertTrue(line.contains(keys[i]), "the digits are sent as is: " + keys[i]);
    }
  }

  @Test
  void recordValuesArePreservedExactly() {
    TestNode node = start(Configs.defaultNode());
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    String record = """
        {"id":"r\u00e9sum\u00e9 \u2603 \ud83d\ude00","int":10,"neg":-0,"big":340282366920938463463374607431768211456,
         "dec":1.10,"exp":2.5e-3,"s":"line\\nbreak \\"quoted\\" \\\\ back\\\\slash \\u0000 tab\\t","empty":"",
         "nothing":null,"yes":true,"no":false,"list":[1,"1",1.5,[],{},[[{"deep":[null]}]]],
         "nested":{"a":{"b":{"c":[{"d":12345678901234567890123}]}}}}""";
    String batch = "[{\"type\":\"update\",\"data\":" + record + "}]";

    await(node.publishOk(Q, batch));

    assertJsonEquals(batch, await(poll.line(1)));
    assertJsonEquals(batch, await(node.backlogLine(Q)));
    JsonNode sent = TestJson.parse(await(poll.line(1))).get(0).get("data");
    assertTrue(sent.get("int").isIntegralNumber(), () -> "10 must stay an integer, got " + sent.get("int"));
    assertEquals("1.10", sent.get("dec").decimalValue().toPlainString());
  }

  @Test
  void integerKeyAndStringKeyWithTheSameDigitsAreDistinctRecords() {
    TestNode node = start(Configs.defaultNode());

    await(node.publishOk(Q, """
        [{"type":"update","data":{"id":1,"kind":"integer"}},
         {"type":"update","data":{"id":"1","kind":"string"}}]"""));

    assertJsonEquals("""
        [{"type":"update","data":{"id":1,"kind":"integer"}},
         {"type":"update","data":{"id":"1","kind":"string"}}]""", await(node.backlogLine(Q)));
    assertEquals(2, await(node.infoOk(Q)).getInteger("records"));

    await(node.publishOk(Q, "[{\"type\":\"delete\",\"data\":{\"id\":1}}]"));

    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"string\"}}]", await(node.backlogLine(Q)));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"replaced\"}}]"));
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":\"1\",\"kind\":\"replaced\"}}]", await(node.backlogLine(Q)));
  }

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

  @Test
  void anIntegerKeyIsOneKeyHoweverManyDigitsItNeeds() {
    TestNode node = start(Configs.defaultNode());

    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":1}}]"));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":2}},"
        + "{\"type\":\"update\",\"data\":{\"id\":7,\"v\":1}}]"));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":7,\"v\":2}}]"));

    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":9223372036854775808,\"v\":2}},"
        + "{\"type\":\"update\",\"data\":{\"id\":7,\"v\":2}}]", await(node.backlogLine(Q)));
  }
}
