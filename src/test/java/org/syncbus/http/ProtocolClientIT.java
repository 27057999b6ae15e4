package org.syncbus.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PROTOCOL.md's promise: a client written only from the protocol (here in Python, standard library
 * only, nothing shared with syncbus) works unchanged against {@code java -jar target/syncbus.jar}.
 */
class ProtocolClientIT {
  private static final Path JAR = Path.of("target", "syncbus.jar");
  private static final Path CLIENT = Path.of("src", "test", "python", "protocol_client.py");

  @TempDir
  Path dir;

  @Test
  void independentProtocolClientWorksUnchangedAgainstThePackagedServer() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " is built before integration tests");
    int port = freePort();
    Path config = Files.writeString(dir.resolve("syncbus.json"), """
        {"http": {"host": "127.0.0.1", "port": %d},
         "queues": {"default": {"pk": "id", "secrets": {"publish": "pub-secret", "subscribe": "sub-secret"}}}}
        """.formatted(port));
    Process server = new ProcessBuilder("java", "-jar", JAR.toString(), "-conf", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
    try {
      Process client = null;
      for (int attempt = 0; attempt < 60; attempt++) {
        client = new ProcessBuilder("python3", CLIENT.toString(), "http://127.0.0.1:" + port, "pub-secret", "sub-secret")
            .redirectErrorStream(true).start();
        assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the protocol client finished");
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!output.contains("Connection refused")) {
          assertEquals("ok", output.strip(), output);
          assertEquals(0, client.exitValue());
          return;
        }
        assertTrue(server.isAlive(), "the server stopped: " + Files.readString(dir.resolve("server.log")));
        server.waitFor(250, TimeUnit.MILLISECONDS); // the server is still starting: wait for it to exit or listen
      }
      throw new AssertionError("the server never listened: " + Files.readString(dir.resolve("server.log")));
    } finally {
      server.destroy();
      assertTrue(server.waitFor(20, TimeUnit.SECONDS));
      assertEquals(0, server.exitValue(), "SIGTERM stops the server with status 0");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
