package org.syncbus.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.syncbus.testing.NodeScript;
import org.syncbus.testing.TestNode;

/**
 * A browser test's Node script ({@code src/test/node/browser/*.test.mjs}: headless Chromium driven
 * by puppeteer-core) and the origin its pages come from. The node serves no pages, so the script
 * serves them itself on a loopback port that the node lists in {@code http.cors.allowedOrigins}:
 * the port is picked here, free now, before the node is configured, and handed to the script.
 * What the script leaves behind (its output; screenshots and page logs of a failure) is kept
 * under {@code target/browser}, where CI keeps it.
 */
final class BrowserScript {
  static final Path ARTIFACTS = Path.of("target", "browser").toAbsolutePath();

  final int pagePort;

  BrowserScript() {
    pagePort = freePort();
  }

  /** The origin of the pages the script serves, to list in {@code http.cors.allowedOrigins}. */
  String pageOrigin() {
    return "http://" + TestNode.HOST + ":" + pagePort;
  }

  /** Runs {@code script} of {@code src/test/node/browser} with {@code env}; fails with its output. */
  void run(String script, Map<String, String> env) throws IOException, InterruptedException {
    Files.createDirectories(ARTIFACTS);
    Map<String, String> all = new HashMap<>(env);
    all.put("SYNCBUS_PAGE_PORT", Integer.toString(pagePort));
    all.put("SYNCBUS_ARTIFACTS", ARTIFACTS.toString());
    NodeScript.run("browser/" + script, all, ARTIFACTS);
  }

  /** A loopback port free now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(TestNode.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
