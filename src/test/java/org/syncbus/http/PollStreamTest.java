package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;

/** PROTOCOL.md, "GET /poll": the backlog line, then one line per accepted batch. */
class PollStreamTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;

  @Test
  void firstLineIsEmptyArrayWhenTheBacklogIsEmpty() {
    TestNode node = start(Configs.defaultNode());

    PollStream poll = await(node.pollOk(Q));

    assertJsonEquals("[]", await(poll.line(0)));
  }

  @Test
  void pollResponseStaysOpenAsAChunkedStream() {
    TestNode node = start(Configs.defaultNode());

    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));

    assertEquals("chunked", poll.headers().get("Transfer-Encoding"));
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":1}}]", await(poll.line(1)));
    assertEquals("", poll.unterminated());
  }

  @Test
  void firstLineIsTheWholeBacklogInBacklogOrder() {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, """
        [{"type":"update","data":{"id":"a","v":1}},
         {"type":"update","data":{"id":"b","v":1}},
         {"type":"update","data":{"id":"c","v":1}}]"""));
    // Replacing keeps the position; delete then re-create moves to the end.
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":\"b\",\"v\":2}}]"));
    await(node.publishOk(Q, """
        [{"type":"delete","data":{"id":"a"}},
         {"type":"update","data":{"id":"a","v":3}},
         {"type":"delete","data":{"id":"absent"}}]"""));

    PollStream poll = await(node.pollOk(Q));

    assertJsonEquals("""
        [{"type":"update","data":{"id":"b","v":2}},
         {"type":"update","data":{"id":"c","v":1}},
         {"type":"update","data":{"id":"a","v":3}}]""", await(poll.line(0)));
  }

  @Test
  void thenOneLinePerAcceptedBatchInTheOrderApplied() {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"before\"}}]"));
    PollStream poll = await(node.pollOk(Q));
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"before\"}}]", await(poll.line(0)));

    String[] batches = {
        "[{\"type\":\"update\",\"data\":{\"id\":2,\"v\":\"x\"}},{\"type\":\"update\",\"data\":{\"id\":1,\"v\":\"y\"}}]",
        "[{\"type\":\"delete\",\"data\":{\"id\":1,\"ignored\":true}}]",
        "[{\"type\":\"delete\",\"data\":{\"id\":404}}]",
        "[{\"type\":\"update\",\"data\":{\"id\":3}},{\"type\":\"update\",\"data\":{\"id\":3,\"v\":\"last wins\"}}]",
    };
    for (String batch : batches) {
      await(node.publishOk(Q, batch));
    }

    for (int i = 0; i < batches.length; i++) {
      assertJsonEquals(batches[i], await(poll.line(i + 1)));
    }
    await(node.publishOk(Q, "[]"));
    assertJsonEquals("[]", await(poll.line(batches.length + 1)));
    assertEquals(batches.length + 2, poll.lineCount(), () -> "one line per batch, no more: " + poll.lines());
  }

  @Test
  void emptyBatchIsAcceptedAndPublishedAsAnEmptyLine() {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":1}}]"));
    PollStream poll = await(node.pollOk(Q));
    await(poll.line(0));
    long seqBefore = await(node.infoOk(Q)).getLong("seq");

    assertEquals(200, await(node.publish(Q, "[]")).status());

    assertJsonEquals("[]", await(poll.line(1)));
    assertEquals(seqBefore + 1, await(node.infoOk(Q)).getLong("seq"), "an empty batch still gets a sequence number");
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":1}}]", await(node.backlogLine(Q)));
  }

  @Test
  void updateAnswers200WithAnEmptyBodyAfterTheBatchIsApplied() {
    TestNode node = start(Configs.defaultNode());

    var reply = await(node.publish(Q, "[{\"type\":\"update\",\"data\":{\"id\":7}}]"));

    assertEquals(200, reply.status());
    assertEquals("", reply.body());
    // Applied before the answer: a poll opened right after sees it in the backlog.
    assertJsonEquals("[{\"type\":\"update\",\"data\":{\"id\":7}}]", await(node.backlogLine(Q)));
  }

  @Test
  void everyOpenStreamReceivesEachBatch() {
    TestNode node = start(Configs.defaultNode());
    PollStream first = await(node.pollOk(Q));
    PollStream second = await(node.pollOk(Q));
    await(first.line(0));
    await(second.line(0));

    await(node.publishOk(Q, "[{\"type\":\"update\",\"data\":{\"id\":\"x\"}}]"));

    assertEquals(await(first.line(1)), await(second.line(1)));
    assertTrue(first.lineAt(1).contains("\"x\""));
  }
}
