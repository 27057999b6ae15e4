package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * README, "HTTP endpoints" (slow subscribers): a subscriber whose unsent bytes exceed
 * {@code limits.subscriberBufferBytes} is disconnected (and logged with the queue and the client's
 * address), so one client that stops reading cannot grow the server's memory; the others are
 * unaffected.
 *
 * <p>The stalled client is a raw socket with a small receive buffer (set before connecting, or the
 * kernel's loopback buffers would absorb megabytes) that sends its poll and never reads.
 */
class SlowSubscriberTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  private static final int LIMIT = 64 * 1024;
  private static final int MAX_BATCHES = 2000;
  private static final String PAYLOAD = "x".repeat(16 * 1024);

  private static String batch(int n) {
    return "[{\"type\":\"update\",\"data\":{\"id\":" + (n % 8) + ",\"n\":" + n + ",\"blob\":\"" + PAYLOAD + "\"}}]";
  }

  @Test
  void subscriberThatStopsReadingIsDisconnectedWhileOthersReceiveEveryBatch() throws IOException {
    JsonObject config = Configs.defaultNode().put("limits", new JsonObject().put("subscriberBufferBytes", LIMIT));
    LogCapture log = closeAfter(LogCapture.of("org.syncbus"));
    TestNode node = start(config);
    PollStream reader = await(node.pollOk(Q));
    await(reader.line(0));

    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress(TestNode.HOST, node.port()), 5000);
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /poll" + Tokens.pollQuery(Tokens.poll(Configs.SUBSCRIBE_SECRET)) + " HTTP/1.1\r\n"
          + "Host: " + TestNode.HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await(node.awaitSubscribers(Q, 2));

      int published = 0;
      boolean disconnected = false;
      while (!disconnected && published < MAX_BATCHES) {
        published++;
        await(node.publishOk(Q, batch(published)));
        String line;
        try {
          line = await(reader.line(published));
        } catch (AssertionError e) {
          throw new AssertionError("the reading subscriber did not get batch " + published + " (it has "
              + reader.lineCount() + " lines) while the stalled one was connected", e);
        }
        assertTrue(line.contains("\"n\":" + published + ","), "the reading subscriber got batch " + published);
        disconnected = await(node.infoOk(Q)).getInteger("subscribers") == 1;
      }

      assertTrue(disconnected, "the stalled subscriber was still connected after " + published + " batches of 16 KB");
      assertEquals(published + 1, reader.lineCount(), () -> "the reading subscriber's lines: " + reader.lineCount());
      String client = ":" + stalled.getLocalPort();
      String logged = await(log.message(line -> line.contains("disconnected") && line.contains(client)));
      assertTrue(logged.contains(Q), () -> "the log line names the queue: " + logged);
      assertStreamEnds(stalled);
    }
    int next = reader.lineCount();
    await(node.publishOk(Q, "[{\"type\":\"delete\",\"data\":{\"id\":0}}]"));
    assertTrue(await(reader.line(next)).contains("delete"), "the reading subscriber keeps receiving");
  }

  /** Reading what was already sent, the stalled client reaches the end of its connection (EOF or reset). */
  private static void assertStreamEnds(Socket stalled) throws IOException {
    stalled.setSoTimeout(5000);
    InputStream in = stalled.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    boolean ended = false;
    try {
      while (!ended && total < 256L * 1024 * 1024) {
        int read = in.read(buffer);
        ended = read < 0;
        total += Math.max(read, 0);
      }
    } catch (SocketException reset) {
      ended = true;
    }
    final long received = total;
    assertTrue(ended, () -> "the stalled connection was not closed; read " + received + " bytes");
  }
}
