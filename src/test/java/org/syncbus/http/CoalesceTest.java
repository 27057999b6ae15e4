package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * README, "HTTP endpoints" ({@code http.coalesceMillis}): a batch after a quiet interval is
 * written to a subscriber at once; batches that follow it within the interval wait for its end and
 * reach the subscriber in one write, in order. Seen from a raw socket: the first batch arrives
 * before the interval could have ended, and the next two arrive in one read.
 */
class CoalesceTest extends IntegrationTest {
  private static final String Q = Configs.DEFAULT;
  /** Long enough that a held batch could not be taken for one written at once. */
  private static final int WINDOW_MILLIS = 1000; // the most http.coalesceMillis allows

  private static String batch(String name) {
    return "[{\"type\":\"update\",\"data\":{\"id\":\"" + name + "\"}}]";
  }

  @Test
  void aBatchAfterQuietGoesAtOnceAndTheNextOnesShareOneWrite() throws IOException {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("http").put("coalesceMillis", WINDOW_MILLIS);
    TestNode node = start(config);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(TestNode.HOST, node.port()), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /poll" + Tokens.pollQuery(Tokens.poll(Configs.SUBSCRIBE_SECRET)) + " HTTP/1.1\r\n"
          + "Host: " + TestNode.HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      socket.setSoTimeout(WINDOW_MILLIS * 3);
      readUntil(in, "\r\n[]\n\r\n");

      await(node.publishOk(Q, batch("a")));
      socket.setSoTimeout(WINDOW_MILLIS / 2);
      String first;
      try {
        first = readUntil(in, "\"a\"}}]\n\r\n");
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the first batch after a quiet interval was held", e);
      }
      assertEquals(-1, first.indexOf("\"b\""), first);

      await(node.publishOk(Q, batch("b")));
      await(node.publishOk(Q, batch("c")));
      socket.setSoTimeout(WINDOW_MILLIS * 3);
      byte[] buffer = new byte[4096];
      int n = in.read(buffer);
      String both = new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
      assertTrue(both.contains(batch("b") + "\n\r\n") && both.contains(batch("c") + "\n\r\n")
          && both.indexOf("\"b\"") < both.indexOf("\"c\""), () -> "one read, both batches in order: " + both);
    }
  }

  /** Reads until what was read ends with {@code end}; returns it. */
  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder read = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (!read.toString().endsWith(end)) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new AssertionError("the stream ended before " + end + "; read: " + read);
      }
      read.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
    }
    return read.toString();
  }
}
