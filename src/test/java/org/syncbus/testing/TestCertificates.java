package org.syncbus.testing;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Certificates for TLS tests, made by the {@code openssl} command (run bounded, through
 * {@link ExternalProcess}) in a test's directory: authorities, server certificates for this
 * machine's loopback ({@code IP:127.0.0.1}, {@code DNS:localhost}) and client certificates, each
 * signed by an authority. P-256 keys (fast to make), PKCS#8 PEM, valid for two days.
 *
 * <p>openssl reads a configuration of its own here, not the system's, so every extension is the
 * one asked for: authorities are {@code CA:TRUE} with {@code keyCertSign}; leaves carry key
 * identifiers, as strict verifiers (Python's default context) want.
 */
public final class TestCertificates {
  private static final String CURVE = "ec_paramgen_curve:prime256v1";
  private static final String DAYS = "2";

  /** A certificate (PEM) and its private key (PEM). */
  public record Pem(Path cert, Path key) {}

  private TestCertificates() {}

  /** A self-signed authority {@code dir/NAME.pem}, key {@code dir/NAME.key}. */
  public static Pem authority(Path dir, String name) throws IOException, InterruptedException {
    Pem ca = new Pem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    openssl(dir, name, "req", "-config", config(dir).toString(), "-x509", "-newkey", "ec", "-pkeyopt", CURVE,
        "-nodes", "-days", DAYS, "-subj", "/CN=" + name,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash",
        "-keyout", ca.key().toString(), "-out", ca.cert().toString());
    return ca;
  }

  /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}. */
  public static Pem server(Path dir, String name, Pem ca) throws IOException, InterruptedException {
    return issue(dir, name, ca, "localhost",
        "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
  }

  /** A client certificate, signed by {@code ca}. */
  public static Pem client(Path dir, String name, Pem ca) throws IOException, InterruptedException {
    return issue(dir, name, ca, name, "extendedKeyUsage=clientAuth\n");
  }

  /** A key pair of a private key and a certificate for it, signed by {@code ca}. */
  private static Pem issue(Path dir, String name, Pem ca, String commonName, String extensions)
      throws IOException, InterruptedException {
    Pem issued = new Pem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    Path request = dir.resolve(name + ".csr");
    Path extensionFile = Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
        + extensions);
    openssl(dir, name + "-request", "req", "-config", config(dir).toString(), "-new", "-newkey", "ec",
        "-pkeyopt", CURVE, "-nodes", "-subj", "/CN=" + commonName,
        "-keyout", issued.key().toString(), "-out", request.toString());
    openssl(dir, name, "x509", "-req", "-in", request.toString(), "-CA", ca.cert().toString(),
        "-CAkey", ca.key().toString(), "-set_serial", "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1),
        "-days", DAYS, "-extfile", extensionFile.toString(), "-out", issued.cert().toString());
    return issued;
  }

  /** The {@code tls} section of a port's configuration serving {@code server}. */
  public static JsonObject tls(Pem server) {
    return new JsonObject().put("certPath", server.cert().toString()).put("keyPath", server.key().toString());
  }

  /** The {@code tls} section asking clients for certificates of {@code clientCa} ({@code request}, {@code required}). */
  public static JsonObject tls(Pem server, Pem clientCa, String clientAuth) {
    return tls(server).put("clientCaPath", clientCa.cert().toString()).put("clientAuth", clientAuth);
  }

  /** Options of a Vert.x HTTP client speaking TLS to loopback, trusting {@code authorities}. */
  public static HttpClientOptions trusting(Pem... authorities) {
    PemTrustOptions trust = new PemTrustOptions();
    for (Pem ca : authorities) {
      trust.addCertPath(ca.cert().toString());
    }
    return new HttpClientOptions().setSsl(true).setVerifyHost(true).setTrustOptions(trust);
  }

  /** {@link #trusting} presenting {@code client} as its certificate. */
  public static HttpClientOptions presenting(Pem client, Pem... authorities) {
    return trusting(authorities).setKeyCertOptions(
        new PemKeyCertOptions().setCertPath(client.cert().toString()).setKeyPath(client.key().toString()));
  }

  /** Copies {@code source}'s certificate and key over {@code target}'s files, key first, as a renewal does. */
  public static void replace(Pem target, Pem source) throws IOException {
    Files.write(target.key(), Files.readAllBytes(source.key()));
    Files.write(target.cert(), Files.readAllBytes(source.cert()));
  }

  /** A copy of {@code source} at {@code dir/NAME.pem} and {@code .key}: files a test may overwrite. */
  public static Pem copy(Pem source, Path dir, String name) throws IOException {
    Pem copy = new Pem(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    Files.copy(source.cert(), copy.cert());
    Files.copy(source.key(), copy.key());
    return copy;
  }

  private static Path config(Path dir) throws IOException {
    Path file = dir.resolve("openssl.cnf");
    if (!Files.exists(file)) {
      Files.writeString(file, "[req]\ndistinguished_name = dn\n[dn]\n");
    }
    return file;
  }

  private static void openssl(Path dir, String what, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    ExternalProcess.run(command, Map.of("OPENSSL_CONF", config(dir).toString()), dir.resolve("openssl-" + what + ".log"));
  }
}
