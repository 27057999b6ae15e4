package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.syncbus.testing.TestJson.assertJsonEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncbus.testing.Configs;
import org.syncbus.testing.HttpReply;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * PROTOCOL.md, "POST /update": a {@code data} that is not a JSON array of valid updates is refused
 * with 400 naming the first bad element, and nothing of it is applied or published.
 */
class MalformedBatchTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final String SEED = "[{\"type\":\"update\",\"data\":{\"id\":\"seed\",\"v\":1}}]";
  private static final String MARKER = "[{\"type\":\"update\",\"data\":{\"id\":\"marker\"}}]";
  private static final String GOOD = "{\"type\":\"update\",\"data\":{\"id\":\"seed\",\"v\":2}}";

  /** A bad batch and what the refusal must name: the first bad element (or the batch itself). */
  static Stream<Arguments> malformedBatches() {
    return Stream.of(
        Arguments.of("not JSON", "[{\"type\":\"update\",", "batch"),
        Arguments.of("empty text", "", "batch"),
        Arguments.of("trailing text", "[] []", "batch"),
        Arguments.of("an object, not an array", GOOD, "batch"),
        Arguments.of("a string, not an array", "\"[]\"", "batch"),
        Arguments.of("null", "null", "batch"),
        Arguments.of("element not an object", "[" + GOOD + ",5]", "batch[1]"),
        Arguments.of("element an array", "[[" + GOOD + "]]", "batch[0]"),
        Arguments.of("missing type", "[" + GOOD + ",{\"data\":{\"id\":1}}]", "batch[1].type"),
        Arguments.of("unknown type", "[{\"type\":\"upsert\",\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("type with other case", "[{\"type\":\"Update\",\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("type not a string", "[{\"type\":1,\"data\":{\"id\":1}}]", "batch[0].type"),
        Arguments.of("missing data", "[{\"type\":\"update\"}]", "batch[0].data"),
        Arguments.of("data an array", "[{\"type\":\"update\",\"data\":[{\"id\":1}]}]", "batch[0].data"),
        Arguments.of("data a string", "[{\"type\":\"update\",\"data\":\"{\\\"id\\\":1}\"}]", "batch[0].data"),
        Arguments.of("data null", "[{\"type\":\"delete\",\"data\":null}]", "batch[0].data"),
        Arguments.of("missing key", "[" + GOOD + "," + GOOD + ",{\"type\":\"update\",\"data\":{\"name\":\"x\"}}]", "batch[2].data"),
        Arguments.of("delete without key", "[{\"type\":\"delete\",\"data\":{}}]", "batch[0].data"),
        Arguments.of("null key", "[{\"type\":\"update\",\"data\":{\"id\":null}}]", "batch[0].data.id"),
        Arguments.of("boolean key", "[{\"type\":\"update\",\"data\":{\"id\":true}}]", "batch[0].data.id"),
        Arguments.of("fractional key", "[{\"type\":\"update\",\"data\":{\"id\":1.5}}]", "batch[0].data.id"),
        Arguments.of("integral decimal key", "[{\"type\":\"update\",\"data\":{\"id\":1.0}}]", "batch[0].data.id"),
        Arguments.of("exponent key", "[{\"type\":\"update\",\"data\":{\"id\":1e3}}]", "batch[0].data.id"),
        Arguments.of("object key", "[{\"type\":\"update\",\"data\":{\"id\":{\"n\":1}}}]", "batch[0].data.id"),
        Arguments.of("array key", "[{\"type\":\"update\",\"data\":{\"id\":[1]}}]", "batch[0].data.id"),
        Arguments.of("bad delete key after good updates",
            "[" + GOOD + ",{\"type\":\"update\",\"data\":{\"id\":\"new\"}},{\"type\":\"delete\",\"data\":{\"id\":false}}]",
            "batch[2].data.id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedBatches")
  void malformedBatchIsRefusedWith400NamingTheFirstBadElementAndNothingIsApplied(
      String shape, String data, String named) {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, SEED));
    PollStream open = await(node.pollOk(Q));
    assertJsonEquals(SEED, await(open.line(0)));
    long seq = await(node.infoOk(Q)).getLong("seq");

    HttpReply reply = await(node.publish(Q, data));

    assertEquals(400, reply.status(), () -> shape + ": " + reply);
    assertTrue(reply.body().contains(named), () -> shape + ": the message must name " + named + ": " + reply.body());
    if (!named.equals("batch")) {
      String next = named.startsWith("batch[") ? "batch[" + (Integer.parseInt(named.substring(6, named.indexOf(']'))) + 1) : null;
      assertTrue(next == null || !reply.body().contains(next), () -> "names a later element: " + reply.body());
    }
    assertNothingApplied(node, open, seq);
  }

  @Test
  void formWithoutDataFieldIsRefusedWith400AndNothingIsApplied() {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, SEED));
    PollStream open = await(node.pollOk(Q));
    await(open.line(0));
    long seq = await(node.infoOk(Q)).getLong("seq");

    HttpReply reply = await(node.postUpdate("/update", null, Tokens.update(Configs.PUBLISH_SECRET, "")));

    assertEquals(400, reply.status(), reply::toString);
    assertTrue(reply.body().contains("data"), reply::toString);
    assertNothingApplied(node, open, seq);
  }

  @Test
  void formWithBadPercentEncodingIsRefusedWith400AndNothingIsApplied() {
    TestNode node = start(Configs.defaultNode());
    await(node.publishOk(Q, SEED));
    PollStream open = await(node.pollOk(Q));
    await(open.line(0));
    long seq = await(node.infoOk(Q)).getLong("seq");

    HttpReply reply = await(node.postForm("/update", "data=%5B%ZZ&hmac=1%3Ax"));

    assertEquals(400, reply.status(), reply::toString);
    assertNothingApplied(node, open, seq);
  }

  /**
   * The refused batch left no trace: same seq, same backlog, and the next line the open stream
   * receives is the marker published after it.
   */
  private void assertNothingApplied(TestNode node, PollStream open, long seq) {
    assertEquals(seq, await(node.infoOk(Q)).getLong("seq"), "a refused batch must not take a sequence number");
    assertJsonEquals(SEED, await(node.backlogLine(Q)));
    await(node.publishOk(Q, MARKER));
    assertJsonEquals(MARKER, await(open.line(1)));
    assertEquals(2, open.lineCount(), () -> "lines: " + open.lines());
  }
}
