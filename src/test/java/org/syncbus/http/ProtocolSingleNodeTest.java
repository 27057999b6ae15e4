package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.syncbus.testing.TestNode;

/**
 * The protocol rules on one node: publishers and subscribers talk to the same node, a fresh one
 * for every test, which serves a batch as soon as it acknowledged it.
 */
class ProtocolSingleNodeTest extends ProtocolRules {
  private static final String QUEUE = "rules";
  private static final String OTHER = "users";

  private TestNode node;

  @BeforeEach
  void startNode() {
    node = start(config(List.of(QUEUE), List.of(OTHER)));
  }

  @Override
  protected TestNode publisher() {
    return node;
  }

  @Override
  protected TestNode subscriber() {
    return node;
  }

  @Override
  protected List<TestNode> nodes() {
    return List.of(node);
  }

  @Override
  protected String queue() {
    return QUEUE;
  }

  @Override
  protected String otherQueue() {
    return OTHER;
  }

  @Override
  protected void awaitServed(TestNode node, String queue, long seq) {
    assertEquals(seq, await(node.infoOk(queue)).getLong("seq"),
        "one node serves every batch it acknowledged, at once (PROTOCOL.md, \"POST /update\")");
  }
}
