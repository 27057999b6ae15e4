package org.syncbus.http;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.NodeScript;
import org.syncbus.testing.TestNode;

/**
 * Server-sent events read by the npm package {@code eventsource}, Node's implementation of the
 * browser's {@code EventSource}: {@code src/test/node/sse-eventsource.test.mjs}.
 */
class EventSourceNodeIT extends IntegrationTest {
  @TempDir
  Path dir;

  @Test
  void browserEventSourceFollowsAndResumesAQueue() throws Exception {
    TestNode node = start(Configs.defaultNode());
    NodeScript.run("sse-eventsource.test.mjs", Map.of(
        "SYNCBUS_HTTP", "http://" + TestNode.HOST + ":" + node.port(),
        "SYNCBUS_SUBSCRIBE_SECRET", node.subscribeSecret(Configs.DEFAULT),
        "SYNCBUS_PUBLISH_SECRET", node.publishSecret(Configs.DEFAULT)), dir);
  }
}
