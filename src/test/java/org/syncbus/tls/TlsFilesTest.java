package org.syncbus.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncbus.config.ConfigException;
import org.syncbus.config.RunningConfig;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.EventLoopCheck;
import org.syncbus.testing.LogCapture;
import org.syncbus.testing.TestCertificates;
import org.syncbus.testing.TestCertificates.Pem;

/**
 * {@link ServerTls} on its own, with servers that record what they are given: the files are
 * checked at start with errors naming the setting; a change of content (never of timestamps
 * alone) reaches every server, forced; files that do not make a certificate are refused with one
 * warning and the running certificate stays. Checks are driven with {@link ServerTls#checkNow()},
 * so nothing waits for a scan except the test of the scan itself.
 */
class TlsFilesTest {
  @TempDir
  static Path certificates;
  static Pem ca;
  static Pem first;
  static Pem second;
  static Pem otherCa;

  @TempDir
  Path dir;

  private final EventLoopCheck loops = new EventLoopCheck();
  private Vertx vertx;
  private Context context;
  private LogCapture log;
  private final List<Update> updates = new CopyOnWriteArrayList<>();

  /** What a recording server was given. */
  private record Update(String server, ServerSSLOptions options, boolean force) {
    Buffer cert() {
      return ((PemKeyCertOptions) options.getKeyCertOptions()).getCertValue();
    }
  }

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCertificates.authority(certificates, "ca");
    first = TestCertificates.server(certificates, "first", ca);
    second = TestCertificates.server(certificates, "second", ca);
    otherCa = TestCertificates.authority(certificates, "other-ca");
  }

  @BeforeEach
  void startVertx() {
    vertx = loops.watch(Vertx.vertx(EventLoopCheck.options()));
    context = vertx.getOrCreateContext();
    log = LogCapture.of(ServerTls.class);
  }

  @AfterEach
  void closeVertx() {
    log.close();
    Await.await(vertx.close());
    loops.assertNoneBlocked();
  }

  private static RunningConfig running(long scanSeconds) {
    JsonObject config = Configs.defaultNode().put("reload", new JsonObject().put("scanSeconds", scanSeconds));
    return new RunningConfig(SyncbusConfig.parse(config, Map.of()));
  }

  private static SyncbusConfig.Tls tls(Pem server) {
    return new SyncbusConfig.Tls(server.cert().toString(), server.key().toString(), null, SyncbusConfig.ClientAuth.NONE);
  }

  /** A loaded, watched port serving {@code served} (a copy the test may overwrite), with two recording servers. */
  private ServerTls watched(Pem served, long scanSeconds) {
    ServerTls tls = ServerTls.of(vertx, running(scanSeconds), SyncbusConfig.Tls.HTTP, tls(served));
    Await.await(tls.load());
    tls.follow(recording("edge-1"));
    tls.follow(recording("edge-2"));
    Promise<Void> watching = Promise.promise();
    context.runOnContext(v -> {
      tls.watch();
      watching.complete();
    });
    Await.await(watching.future());
    return tls;
  }

  private ServerTls.Server recording(String name) {
    return (options, force) -> {
      updates.add(new Update(name, options, force));
      return Future.succeededFuture(true);
    };
  }

  private List<String> logged(Level level) {
    return log.messages(level);
  }

  private static ConfigException loadFailure(ServerTls tls) {
    return assertInstanceOf(ConfigException.class, Await.awaitFailure(tls.load()));
  }

  @Test
  void aCertPathThatCannotBeReadFailsTheLoadNamingTheSettingAndTheFile() {
    Path missing = dir.resolve("missing.pem");
    ServerTls tls = ServerTls.of(vertx, running(3600), SyncbusConfig.Tls.HTTP,
        new SyncbusConfig.Tls(missing.toString(), first.key().toString(), null, SyncbusConfig.ClientAuth.NONE));
    assertEquals("http.tls.certPath: cannot read " + missing + " (no such file)", loadFailure(tls).getMessage());
  }

  @Test
  void aKeyOfAnotherCertificateFailsTheLoadNamingKeyPath() {
    ServerTls tls = ServerTls.of(vertx, running(3600), SyncbusConfig.Tls.BRIDGE_TCP,
        new SyncbusConfig.Tls(first.cert().toString(), second.key().toString(), null, SyncbusConfig.ClientAuth.NONE));
    assertEquals("bridges.tcp.tls.keyPath: " + second.key() + " is not the key of the certificate in bridges.tcp.tls.certPath",
        loadFailure(tls).getMessage());
  }

  @Test
  void aClientCaThatIsNoCertificateFailsTheLoadNamingClientCaPath() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    ServerTls tls = ServerTls.of(vertx, running(3600), SyncbusConfig.Tls.HTTP, new SyncbusConfig.Tls(
        first.cert().toString(), first.key().toString(), notPem.toString(), SyncbusConfig.ClientAuth.REQUIRED));
    String message = loadFailure(tls).getMessage();
    assertTrue(message.startsWith("http.tls.clientCaPath: " + notPem + " is not a PEM certificate"), message);
  }

  @Test
  void aCertificateFileThatIsAPrivateKeyFailsTheLoadNamingCertPath() {
    ServerTls tls = ServerTls.of(vertx, running(3600), SyncbusConfig.Tls.HTTP,
        new SyncbusConfig.Tls(first.key().toString(), first.key().toString(), null, SyncbusConfig.ClientAuth.NONE));
    String message = loadFailure(tls).getMessage();
    assertTrue(message.startsWith("http.tls.certPath: "), message);
  }

  @Test
  void filesRewrittenWithTheSameContentAreNotReloaded() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    ServerTls tls = watched(served, 3600);
    TestCertificates.replace(served, first);
    Files.setLastModifiedTime(served.cert(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    Await.await(tls.checkNow());
    assertEquals(List.of(), updates, "same content, newer timestamps: nothing to reload");
    assertEquals(List.of(), logged(Level.INFO).stream().filter(line -> line.contains("reloaded")).toList());
  }

  @Test
  void aNewCertificateIsHandedToEveryServerForcedWithOneInfoLine() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    ServerTls tls = watched(served, 3600);
    TestCertificates.replace(served, second);
    Await.await(tls.checkNow());
    Buffer expected = Buffer.buffer(Files.readAllBytes(second.cert()));
    assertEquals(List.of("edge-1", "edge-2"), updates.stream().map(Update::server).sorted().toList());
    assertTrue(updates.stream().allMatch(update -> update.force() && update.cert().equals(expected)), updates.toString());
    List<String> reloaded = logged(Level.INFO).stream().filter(line -> line.contains("reloaded")).toList();
    assertEquals(1, reloaded.size(), reloaded.toString());
    assertTrue(reloaded.get(0).startsWith("http.tls: certificate reloaded (CN=localhost, valid until "), reloaded.get(0));

    Await.await(tls.checkNow());
    assertEquals(2, updates.size(), "the next check finds nothing new");
  }

  @Test
  void aHalfWrittenCertificateIsRefusedWithOneWarningAndTheRunningOneStays() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    ServerTls tls = watched(served, 3600);
    String whole = Files.readString(second.cert());
    Files.writeString(served.cert(), whole.substring(0, whole.length() / 2));
    Await.await(tls.checkNow());
    Await.await(tls.checkNow());
    assertEquals(List.of(), updates, "nothing handed over");
    List<String> warnings = logged(Level.WARNING);
    assertEquals(1, warnings.size(), "one warning while the files stay as they are: " + warnings);
    assertTrue(warnings.get(0).startsWith("http.tls: certificate not reloaded: http.tls.certPath: " + served.cert()
        + " is not a PEM certificate"), warnings.get(0));
    assertTrue(warnings.get(0).endsWith("; the running certificate stays until the files change again"), warnings.get(0));

    TestCertificates.replace(served, second);
    Await.await(tls.checkNow());
    assertEquals(2, updates.size(), "the whole file is taken: " + updates);
  }

  @Test
  void aCertificateWrittenBeforeItsKeyWaitsForTheKey() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    ServerTls tls = watched(served, 3600);
    Files.write(served.cert(), Files.readAllBytes(second.cert()));
    Await.await(tls.checkNow());
    assertEquals(List.of(), updates, "a certificate with the previous one's key would break every handshake");
    List<String> warnings = logged(Level.WARNING);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("http.tls.keyPath: " + served.key() + " is not the key of the certificate"),
        warnings.get(0));

    Files.write(served.key(), Files.readAllBytes(second.key()));
    Await.await(tls.checkNow());
    assertEquals(2, updates.size(), updates.toString());
  }

  @Test
  void aFileMissingForAMomentIsWarnedAboutOnceAndTheSameContentBackIsNotReloaded() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    ServerTls tls = watched(served, 3600);
    Files.delete(served.key());
    Await.await(tls.checkNow());
    Await.await(tls.checkNow());
    List<String> warnings = logged(Level.WARNING);
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("http.tls.keyPath: cannot read " + served.key() + " (no such file)"), warnings.get(0));

    Files.copy(first.key(), served.key());
    Await.await(tls.checkNow());
    assertEquals(List.of(), updates, "the files are back as they were: the running certificate is theirs");
  }

  @Test
  void aChangedCertificateIsTakenWithinAScanOfReloadScanSeconds() throws Exception {
    Pem served = TestCertificates.copy(first, dir, "served");
    watched(served, 1);
    long written = System.nanoTime();
    TestCertificates.replace(served, second);
    Await.await(log.message(line -> line.startsWith("http.tls: certificate reloaded")));
    long millis = (System.nanoTime() - written) / 1_000_000;
    assertTrue(millis < 4_000, "taken at the next scan (every second): " + millis + " ms");
    assertEquals(2, updates.size(), updates.toString());
  }
}
