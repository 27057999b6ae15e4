package org.syncbus.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.syncbus.config.ConfigException;
import org.syncbus.config.SyncbusConfig;

/**
 * The PEM files of one TLS port, read whole and checked as a server certificate before any server
 * is given them. Both steps block (file reads, key parsing): callers run them on a worker.
 *
 * <p>What was read is what is used: the options carry the bytes read ({@code setCertValue}), never
 * the paths, so a file changing between the check and its use cannot slip an unchecked certificate
 * in, and the fingerprint names exactly what is served.
 *
 * <p>A certificate is usable when its file holds a certificate (the first one is the server's; the
 * rest, its chain), the key file holds a private key that signs for that certificate (Vert.x pairs a
 * key and a certificate without looking: a key left over from the previous certificate would be
 * accepted and break every handshake), and, when a client CA is set, that file holds certificates.
 * Each refusal is a {@link ConfigException} naming the setting and the file
 * ({@code http.tls.keyPath: /etc/key.pem is not the key of the certificate in http.tls.certPath}).
 */
final class PemFiles {
  /** Signed with the key and verified with the certificate to tell that they belong together. */
  private static final byte[] PROBE = "syncbus key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final String setting;
  private final SyncbusConfig.Tls tls;

  /** What the files held when read, and its SHA-256 (the three files, each with its length). */
  record Contents(Buffer cert, Buffer key, Buffer clientCa, String fingerprint) {}

  /** Checked contents: the options a server takes, and the certificate they serve. */
  record Checked(ServerSSLOptions options, X509Certificate certificate, String fingerprint) {
    /** The certificate for log lines: subject and end of validity. */
    String describe() {
      return certificate.getSubjectX500Principal().getName() + ", valid until " + certificate.getNotAfter().toInstant();
    }
  }

  /** @param setting the path of the port's TLS settings, e.g. {@code http.tls} */
  PemFiles(String setting, SyncbusConfig.Tls tls) {
    this.setting = setting;
    this.tls = tls;
  }

  String setting() {
    return setting;
  }

  /** Reads the files (blocking); the first one, in order, that cannot be read is named. */
  Contents read() {
    Buffer cert = read("certPath", tls.certPath());
    Buffer key = read("keyPath", tls.keyPath());
    Buffer clientCa = tls.clientCaPath() == null ? null : read("clientCaPath", tls.clientCaPath());
    return new Contents(cert, key, clientCa, fingerprint(cert, key, clientCa));
  }

  /** Checks {@code contents} as a server certificate (blocking); throws a {@link ConfigException}. */
  Checked check(Vertx vertx, Contents contents) {
    List<X509Certificate> chain = certificates("certPath", tls.certPath(), contents.cert());
    X509Certificate certificate = chain.get(0);
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertValue(contents.cert()).setKeyValue(contents.key());
    PrivateKey key = privateKey(vertx, keyCert, certificate);
    if (!signsFor(key, certificate.getPublicKey())) {
      throw new ConfigException(path("keyPath") + ": " + tls.keyPath() + " is not the key of the certificate in "
          + path("certPath"));
    }
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(keyCert).setClientAuth(clientAuth());
    if (contents.clientCa() != null) {
      certificates("clientCaPath", tls.clientCaPath(), contents.clientCa());
      options.setTrustOptions(new PemTrustOptions().addCertValue(contents.clientCa()));
    }
    return new Checked(options, certificate, contents.fingerprint());
  }

  private Buffer read(String name, String file) {
    try {
      return Buffer.buffer(Files.readAllBytes(Path.of(file)));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(path(name) + ": cannot read " + file + " (" + reason(e) + ")");
    }
  }

  private static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private List<X509Certificate> certificates(String name, String file, Buffer pem) {
    Collection<? extends Certificate> read;
    try {
      read = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes()));
    } catch (CertificateException | RuntimeException e) {
      throw new ConfigException(path(name) + ": " + file + " is not a PEM certificate (" + reason(e) + ")");
    }
    if (read.isEmpty()) {
      throw new ConfigException(path(name) + ": no certificate in " + file);
    }
    return read.stream().map(X509Certificate.class::cast).toList();
  }

  /** The key of the key file, read as Vert.x reads it (PKCS#8, PKCS#1 RSA or SEC1 EC, in PEM). */
  private PrivateKey privateKey(Vertx vertx, PemKeyCertOptions keyCert, X509Certificate certificate) {
    X509KeyManager manager;
    try {
      KeyManagerFactory factory = keyCert.getKeyManagerFactory(vertx);
      manager = Arrays.stream(factory.getKeyManagers()).filter(X509KeyManager.class::isInstance)
          .map(X509KeyManager.class::cast).findFirst().orElseThrow();
    } catch (Exception e) {
      throw new ConfigException(path("keyPath") + ": " + tls.keyPath() + " is not a PEM private key for the certificate in "
          + path("certPath") + " (" + reason(e) + ")");
    }
    String[] aliases = manager.getServerAliases(certificate.getPublicKey().getAlgorithm(), null);
    if (aliases == null || aliases.length == 0) {
      throw new ConfigException(path("keyPath") + ": no " + certificate.getPublicKey().getAlgorithm()
          + " private key in " + tls.keyPath());
    }
    return manager.getPrivateKey(aliases[0]);
  }

  /** Whether {@code key} signs what {@code publicKey} verifies; true for algorithms Vert.x does not read. */
  private static boolean signsFor(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private io.vertx.core.http.ClientAuth clientAuth() {
    return switch (tls.clientAuth()) {
      case NONE -> io.vertx.core.http.ClientAuth.NONE;
      case REQUEST -> io.vertx.core.http.ClientAuth.REQUEST;
      case REQUIRED -> io.vertx.core.http.ClientAuth.REQUIRED;
    };
  }

  private String path(String name) {
    return setting + "." + name;
  }

  private static String fingerprint(Buffer... files) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    for (Buffer file : files) {
      // Each file's length goes first, so that bytes moving from one file to the next change the hash.
      digest.update(ByteBuffer.allocate(4).putInt(file == null ? -1 : file.length()).array());
      if (file != null) {
        digest.update(file.getBytes());
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
