package org.syncbus.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.ExternalProcess;
import org.syncbus.testing.ExternalProcess.Outcome;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LineProcess;
import org.syncbus.testing.TestCertificates;
import org.syncbus.testing.TestCertificates.Pem;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * README, "TLS", over HTTP, seen by {@code curl} and by the commands of the packaged jar: the
 * protocol over https with the node's CA; client certificates required (only the client CA's
 * admitted) or requested (with or without); and a certificate replaced on disk, served to new
 * connections within a scan while a stream opened before goes on.
 */
class TlsHttpIT extends IntegrationTest {
  private static final Path JAR = Path.of("target", "syncbus.jar");
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1,\"name\":\"ada\"}}]";

  @TempDir
  static Path certificates;
  static Pem ca;
  static Pem server;
  static Pem client;
  static Pem otherCa;
  static Pem strangerClient;
  static Pem renewedCa;
  static Pem renewed;

  @TempDir
  Path dir;

  private final AtomicInteger runs = new AtomicInteger();

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCertificates.authority(certificates, "ca");
    server = TestCertificates.server(certificates, "server", ca);
    client = TestCertificates.client(certificates, "client", ca);
    otherCa = TestCertificates.authority(certificates, "other-ca");
    strangerClient = TestCertificates.client(certificates, "stranger", otherCa);
    renewedCa = TestCertificates.authority(certificates, "renewed-ca");
    renewed = TestCertificates.server(certificates, "renewed", renewedCa);
  }

  private static JsonObject httpsNode(JsonObject tls) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("http").put("tls", tls);
    return config;
  }

  private static String url(TestNode node, String path) {
    return "https://127.0.0.1:" + node.port() + path;
  }

  /** {@code curl} with {@code args}, bounded by its own {@code --max-time} and by {@link ExternalProcess}. */
  private Outcome curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
    command.addAll(List.of(args));
    return ExternalProcess.attempt(command, Map.of(), dir.resolve("curl-" + runs.incrementAndGet() + ".log"));
  }

  private String curlOk(String... args) throws IOException, InterruptedException {
    Outcome outcome = curl(args);
    assertEquals(0, outcome.status(), "curl " + String.join(" ", args) + ": " + outcome.output());
    return outcome.output();
  }

  private void assertCurlFails(String why, String... args) throws IOException, InterruptedException {
    Outcome outcome = curl(args);
    assertNotEquals(0, outcome.status(), why + ": " + outcome.output());
    assertTrue(!outcome.output().contains("pong"), why + ": " + outcome.output());
  }

  private LineProcess curlPoll(TestNode node, Pem trusted) throws IOException {
    return LineProcess.start(List.of("curl", "-sS", "-N", "--cacert", trusted.cert().toString(),
        url(node, "/poll" + Tokens.pollQuery(Tokens.poll(Configs.SUBSCRIBE_SECRET)))));
  }

  private String curlPublish(TestNode node, Pem trusted, String batch) throws IOException, InterruptedException {
    return curlOk("--cacert", trusted.cert().toString(), "-o", "/dev/null", "-w", "%{http_code}",
        "--data-urlencode", "data=" + batch,
        "--data-urlencode", "hmac=" + Tokens.update(Configs.PUBLISH_SECRET, batch), url(node, "/update"));
  }

  @Test
  void curlPingsPublishesAndPollsOverHttpsTrustingTheNodesCa() throws Exception {
    TestNode node = start(httpsNode(TestCertificates.tls(server)), TestCertificates.trusting(ca));
    assertEquals("pong", curlOk("--cacert", ca.cert().toString(), url(node, "/__ping")));
    try (LineProcess poll = curlPoll(node, ca)) {
      assertEquals("[]", poll.nextLine());
      assertEquals("200", curlPublish(node, ca, BATCH));
      assertEquals(new JsonArray(BATCH), new JsonArray(poll.nextLine()));
    }
    assertCurlFails("a certificate of a CA curl was not told to trust", "--cacert", otherCa.cert().toString(),
        url(node, "/__ping"));
    assertCurlFails("plain HTTP on the TLS port", "http://127.0.0.1:" + node.port() + "/__ping");
  }

  @Test
  void requiredClientAuthAdmitsOnlyCertificatesOfTheClientCa() throws Exception {
    TestNode node = start(httpsNode(TestCertificates.tls(server, ca, "required")),
        TestCertificates.presenting(client, ca));
    assertEquals("pong", curlOk("--cacert", ca.cert().toString(), "--cert", client.cert().toString(),
        "--key", client.key().toString(), url(node, "/__ping")));
    assertCurlFails("no client certificate", "--cacert", ca.cert().toString(), url(node, "/__ping"));
    assertCurlFails("a client certificate of another CA", "--cacert", ca.cert().toString(),
        "--cert", strangerClient.cert().toString(), "--key", strangerClient.key().toString(), url(node, "/__ping"));
  }

  @Test
  void requestedClientAuthAdmitsClientsWithAndWithoutACertificateButNotWithAStrangersOne() throws Exception {
    TestNode node = start(httpsNode(TestCertificates.tls(server, ca, "request")), TestCertificates.trusting(ca));
    assertEquals("pong", curlOk("--cacert", ca.cert().toString(), "--cert", client.cert().toString(),
        "--key", client.key().toString(), url(node, "/__ping")));
    assertEquals("pong", curlOk("--cacert", ca.cert().toString(), url(node, "/__ping")));
    assertCurlFails("a certificate presented must chain to clientCaPath", "--cacert", ca.cert().toString(),
        "--cert", strangerClient.cert().toString(), "--key", strangerClient.key().toString(), url(node, "/__ping"));
  }

  @Test
  void theCommandsTrustTheCaOfCacert() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "integration tests run after package: " + JAR + " is missing");
    TestNode node = start(httpsNode(TestCertificates.tls(server)), TestCertificates.trusting(ca));
    Path batch = Files.writeString(dir.resolve("batch.json"), BATCH);
    List<String> publish = List.of("java", "-jar", JAR.toString(), "publish", "--url", "https://127.0.0.1:" + node.port(),
        "--secret", Configs.PUBLISH_SECRET);

    Outcome trusted = command(publish, "--cacert", ca.cert().toString(), batch.toString());
    assertEquals(0, trusted.status(), trusted.output());
    assertEquals(new JsonArray(BATCH), new JsonArray(await(node.backlogLine(Configs.DEFAULT))), "published");

    Outcome untrusted = command(publish, batch.toString());
    assertEquals(3, untrusted.status(), "the Java runtime's CAs do not know the node's: " + untrusted.output());
    Outcome missing = command(publish, "--cacert", dir.resolve("missing.pem").toString(), batch.toString());
    assertEquals(2, missing.status(), missing.output());
    assertEquals("syncbus publish: --cacert " + dir.resolve("missing.pem") + ": cannot read it", missing.output().strip());
  }

  @Test
  void anUnreadableCertPathStopsTheJarWithOneLineNamingHttpTlsCertPath() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "integration tests run after package: " + JAR + " is missing");
    Path missing = dir.resolve("missing.pem");
    Path config = Files.writeString(dir.resolve("syncbus.json"),
        httpsNode(TestCertificates.tls(server).put("certPath", missing.toString())).encodePrettily());
    Outcome run = command(List.of("java", "-jar", JAR.toString(), "-conf", config.toString()));
    assertEquals(1, run.status(), run.output());
    assertEquals(List.of("syncbus: cannot start: http.tls.certPath: cannot read " + missing + " (no such file)"),
        run.output().lines().filter(line -> !line.isBlank()).toList());
  }

  private Outcome command(List<String> base, String... more) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(base);
    command.addAll(List.of(more));
    return ExternalProcess.attempt(command, Map.of(), dir.resolve("command-" + runs.incrementAndGet() + ".log"));
  }

  @Test
  void aReplacedCertificateServesNewConnectionsWithinAScanWhileAnOpenPollGoesOn() throws Exception {
    Pem served = TestCertificates.copy(server, dir, "served");
    JsonObject config = httpsNode(TestCertificates.tls(served)).put("reload", new JsonObject().put("scanSeconds", 1));
    TestNode node = start(config, TestCertificates.trusting(ca, renewedCa));
    try (LineProcess poll = curlPoll(node, ca)) {
      assertEquals("[]", poll.nextLine());
      assertCurlFails("not renewed yet", "--cacert", renewedCa.cert().toString(), url(node, "/__ping"));

      TestCertificates.replace(served, renewed);
      await(Await.eventually(vertx, "curl --cacert renewed-ca.pem answered pong", 40, 250,
          () -> vertx.executeBlocking(() -> curl("--cacert", renewedCa.cert().toString(), url(node, "/__ping"))),
          outcome -> outcome.status() == 0 && outcome.output().equals("pong")));
      assertCurlFails("new connections get the renewed certificate only", "--cacert", ca.cert().toString(),
          url(node, "/__ping"));

      await(node.publishOk(Configs.DEFAULT, BATCH));
      assertEquals(new JsonArray(BATCH), new JsonArray(poll.nextLine()),
          "the poll opened with the previous certificate receives the batch");
    }
  }
}
