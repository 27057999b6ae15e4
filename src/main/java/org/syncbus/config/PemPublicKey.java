package org.syncbus.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The check that a JWT key's {@code publicKey} can verify tokens of its algorithm, made while the
 * configuration is parsed so that a node never starts, nor reloads, with a key the verifier
 * (vertx-auth, in {@code org.syncbus.auth}) would then refuse: {@link SyncbusConfig#parse} returns
 * a whole usable configuration or nothing.
 *
 * <p><b>What is accepted.</b> The PEM forms vertx-auth reads to verify: a {@code PUBLIC KEY}
 * (X.509 SubjectPublicKeyInfo; also under the labels {@code PUBLIC RSA KEY} and
 * {@code RSA PUBLIC KEY}, which it reads the same way) or a {@code CERTIFICATE}, holding an RSA key
 * for RS* and PS*, an EC key for ES*. The layout rules are vertx-auth's too (the BEGIN line first,
 * an END line with the same label, the base64 between them on lines of their own), never looser:
 * a key accepted here but refused there would fail on the event loops, after the swap. A
 * {@code PRIVATE KEY} is refused: vertx-auth would load it but could verify nothing with it, and
 * the signing key has no business on the server.
 *
 * <p>Plain JDK ({@link KeyFactory}, {@link CertificateFactory}): configuration does not depend on
 * the auth package or on Vert.x for this.
 */
final class PemPublicKey {
  private static final Pattern BEGIN = Pattern.compile("-----BEGIN (.+?)-----");
  private static final Pattern END = Pattern.compile("-----END (.+?)-----");
  private static final Set<String> PUBLIC_KEY_LABELS = Set.of("PUBLIC KEY", "PUBLIC RSA KEY", "RSA PUBLIC KEY");
  private static final String CERTIFICATE = "CERTIFICATE";

  private PemPublicKey() {}

  /** Fails, naming {@code path}, unless {@code pem} holds a public key that verifies {@code algorithm}. */
  static void check(String path, String algorithm, String pem) {
    String family = family(algorithm);
    try {
      PublicKey key = read(family, pem);
      if (!family.equals(key.getAlgorithm())) {
        throw new IllegalArgumentException("holds an " + key.getAlgorithm() + " key, " + algorithm
            + " needs an " + family + " key");
      }
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new ConfigException(path + ": not a usable " + algorithm + " key (" + reason(e) + ")");
    }
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The key type an algorithm verifies with: RSA for RS* and PS*, EC for ES*. */
  private static String family(String algorithm) {
    return algorithm.startsWith("ES") ? "EC" : "RSA";
  }

  private static PublicKey read(String family, String pem) throws GeneralSecurityException {
    String[] lines = pem.split("\\r?\\n");
    if (lines.length <= 2) {
      throw new IllegalArgumentException("expected a PEM block: a BEGIN line, base64 lines, an END line");
    }
    Matcher begin = BEGIN.matcher(lines[0]);
    if (!begin.matches()) {
      throw new IllegalArgumentException("expected -----BEGIN PUBLIC KEY----- on the first line");
    }
    String label = begin.group(1);
    if (label.equals(CERTIFICATE)) {
      body(lines, label); // the same layout rules as a key, before the JDK reads the certificate
      return CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).getPublicKey();
    }
    if (!PUBLIC_KEY_LABELS.contains(label)) {
      throw new IllegalArgumentException("expected a PUBLIC KEY or a CERTIFICATE, got a " + label);
    }
    return KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(body(lines, label)));
  }

  /** The decoded base64 between the BEGIN line and the END line of {@code label}. */
  private static byte[] body(String[] lines, String label) {
    StringBuilder base64 = new StringBuilder();
    for (int i = 1; i < lines.length; i++) {
      Matcher end = END.matcher(lines[i]);
      if (end.matches()) {
        if (!end.group(1).equals(label)) {
          throw new IllegalArgumentException("the END line does not match -----BEGIN " + label + "-----");
        }
        return Base64.getMimeDecoder().decode(base64.toString());
      }
      base64.append(lines[i]);
    }
    throw new IllegalArgumentException("no -----END " + label + "----- line");
  }
}
