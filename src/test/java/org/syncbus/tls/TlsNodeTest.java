package org.syncbus.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.Node;
import org.syncbus.SyncbusVerticle;
import org.syncbus.client.SyncClient;
import org.syncbus.client.SyncClientOptions;
import org.syncbus.client.SyncException;
import org.syncbus.config.ConfigException;
import org.syncbus.queue.Change;
import org.syncbus.queue.Key;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.PollStream;
import org.syncbus.testing.TestCertificates;
import org.syncbus.testing.TestCertificates.Pem;
import org.syncbus.testing.TestNode;

/**
 * A node with {@code http.tls} (and {@code bridges.tcp.tls}), in this JVM, through Java clients:
 * a certificate that cannot be used stops start-up naming its setting; {@link SyncClient} speaks
 * https trusting the node's CA, and presents a certificate where one is required; with
 * {@code -instances 2}, the reloaded certificate is what every edge serves.
 */
class TlsNodeTest extends IntegrationTest {
  private static final String BATCH = "[{\"type\":\"update\",\"data\":{\"id\":1,\"name\":\"ada\"}}]";

  @TempDir
  static Path certificates;
  static Pem ca;
  static Pem server;
  static Pem client;
  static Pem otherCa;
  static Pem renewed;

  @TempDir
  Path dir;

  private final List<SyncClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCertificates.authority(certificates, "ca");
    server = TestCertificates.server(certificates, "server", ca);
    client = TestCertificates.client(certificates, "client", ca);
    otherCa = TestCertificates.authority(certificates, "other-ca");
    renewed = TestCertificates.server(certificates, "renewed", otherCa);
  }

  /** Runs before the base class's leak check, which needs every subscription gone. */
  @AfterEach
  void closeClients() {
    clients.forEach(client -> Await.await(client.close()));
  }

  private static JsonObject httpsNode(JsonObject tls) {
    JsonObject config = Configs.defaultNode();
    config.getJsonObject("http").put("tls", tls);
    return config;
  }

  private SyncClient client(TestNode node, SyncClientOptions options) {
    options.setBaseUrl("https://127.0.0.1:" + node.port())
        .setPublishSecret(Configs.PUBLISH_SECRET).setSubscribeSecret(Configs.SUBSCRIBE_SECRET);
    SyncClient created = SyncClient.create(vertx, options);
    clients.add(created);
    return created;
  }

  private String startUpFailure(JsonObject config) {
    Throwable failure = Await.awaitFailure(vertx.deployVerticle(new SyncbusVerticle(),
        new DeploymentOptions().setConfig(config)));
    return assertInstanceOf(ConfigException.class, failure).getMessage();
  }

  @Test
  void anUnreadableCertPathStopsStartUpNamingHttpTlsCertPath() {
    Path missing = dir.resolve("missing.pem");
    JsonObject tls = TestCertificates.tls(server).put("certPath", missing.toString());
    assertEquals("http.tls.certPath: cannot read " + missing + " (no such file)", startUpFailure(httpsNode(tls)));
  }

  @Test
  void anUnreadableBridgeKeyPathStopsStartUpNamingBridgesTcpTlsKeyPath() {
    Path missing = dir.resolve("missing.key");
    JsonObject config = Configs.defaultNode().put("bridges", new JsonObject().put("tcp", new JsonObject()
        .put("enabled", true).put("host", TestNode.HOST).put("port", 0)
        .put("tls", TestCertificates.tls(server).put("keyPath", missing.toString()))));
    assertEquals("bridges.tcp.tls.keyPath: cannot read " + missing + " (no such file)", startUpFailure(config));
  }

  @Test
  void theJavaClientPublishesAndPollsOverHttpsTrustingTheNodesCa() {
    TestNode node = start(httpsNode(TestCertificates.tls(server)), TestCertificates.trusting(ca));
    SyncClient https = client(node, new SyncClientOptions("https://x").setTrustPemPath(ca.cert().toString()));
    List<Change> changes = new CopyOnWriteArrayList<>();
    Promise<Void> created = Promise.promise();
    https.poll(Set.of(), (state, changed) -> {
      changes.addAll(changed.values());
      if (state.containsKey(Key.of(1))) {
        created.tryComplete();
      }
    });
    await(https.sendUpdates(BATCH));
    await(created.future());
    assertEquals(List.of(Change.CREATED), changes);
  }

  @Test
  void theJavaClientRefusesANodeWhoseCertificateItDoesNotTrust() {
    TestNode node = start(httpsNode(TestCertificates.tls(server)), TestCertificates.trusting(ca));
    // With the default retry window: an untrusted certificate stays untrusted, so it is not retried.
    SyncClient untrusting = client(node, new SyncClientOptions("https://x").setTrustPemPath(otherCa.cert().toString()));
    SyncException refused = assertInstanceOf(SyncException.class,
        Await.awaitFailure(untrusting.sendUpdates(BATCH)));
    assertFalse(refused.isRefusal(), "not a refusal of the node: no request was made");
    assertFalse(refused.isTransient(), "a failed handshake is not retried");
    assertTrue(refused.getMessage().startsWith("cannot reach https://127.0.0.1:" + node.port()), refused.getMessage());
  }

  @Test
  void requiredClientAuthAdmitsTheJavaClientPresentingACertificateOfTheClientCa() {
    TestNode node = start(httpsNode(TestCertificates.tls(server, ca, "required")),
        TestCertificates.presenting(client, ca));
    SyncClient presenting = client(node, new SyncClientOptions("https://x").setTrustPemPath(ca.cert().toString())
        .setKeyCertPemPaths(client.cert().toString(), client.key().toString()));
    await(presenting.sendUpdates(BATCH));

    SyncClient anonymous = client(node, new SyncClientOptions("https://x").setTrustPemPath(ca.cert().toString())
        .setRetryFor(Duration.ZERO));
    SyncException refused = assertInstanceOf(SyncException.class, Await.awaitFailure(anonymous.sendUpdates(BATCH)));
    assertFalse(refused.isRefusal(), refused.getMessage());
  }

  @Test
  void withTwoEdgesEveryNewConnectionGetsTheReloadedCertificateAndOpenStreamsKeepGoing() throws Exception {
    Pem served = TestCertificates.copy(server, dir, "served");
    JsonObject config = httpsNode(TestCertificates.tls(served)).put("reload", new JsonObject().put("scanSeconds", 1));
    Supplier<SyncbusVerticle> copies = SyncbusVerticle::new;
    await(vertx.deployVerticle(copies, new DeploymentOptions().setInstances(2).setConfig(config)));
    TestNode node = track(new TestNode(vertx, vertx, Node.of(vertx).httpPort(), config,
        TestCertificates.trusting(ca, otherCa)));
    await(node.awaitReady());
    PollStream before = await(node.pollOk(Configs.DEFAULT));
    assertEquals("[]", await(before.line(0)));

    try (LogCapture log = LogCapture.of(ServerTls.class)) {
      TestCertificates.replace(served, renewed);
      await(log.message(line -> line.startsWith("http.tls: certificate reloaded")));
    }
    for (int i = 0; i < 4; i++) {
      assertEquals("pong", await(ping(TestCertificates.trusting(otherCa), node.port())),
          "connection " + i + ": the renewed certificate, whichever edge accepts it");
    }
    Throwable old = Await.awaitFailure(ping(TestCertificates.trusting(ca), node.port()));
    assertTrue(String.valueOf(old).contains("SSL") || String.valueOf(old).contains("certificate"), String.valueOf(old));

    await(node.publishOk(Configs.DEFAULT, BATCH));
    assertEquals(new JsonArray(BATCH), new JsonArray(await(before.line(1))),
        "the stream opened with the previous certificate goes on");
  }

  @Test
  void aReloadOfTheNodeSighupReadsTheCertificatesAtOnce() throws Exception {
    Pem served = TestCertificates.copy(server, dir, "served");
    JsonObject config = httpsNode(TestCertificates.tls(served)).put("reload", new JsonObject().put("scanSeconds", 3600));
    TestNode node = start(config, TestCertificates.trusting(ca, otherCa));
    try (LogCapture log = LogCapture.of(ServerTls.class)) {
      TestCertificates.replace(served, renewed);
      Node.of(vertx).reload();
      await(log.message(line -> line.startsWith("http.tls: certificate reloaded")));
    }
    assertEquals("pong", await(ping(TestCertificates.trusting(otherCa), node.port())),
        "scans are an hour apart: only the reload (SIGHUP's) can have read the files");
  }

  /** {@code GET /__ping} on a connection of its own, made with {@code options}. */
  private Future<String> ping(HttpClientOptions options, int port) {
    HttpClientAgent http = vertx.createHttpClient(options);
    return http.request(HttpMethod.GET, port, TestNode.HOST, "/__ping")
        .compose(request -> request.send())
        .compose(response -> response.body())
        .map(body -> body.toString())
        .eventually(http::close);
  }
}
