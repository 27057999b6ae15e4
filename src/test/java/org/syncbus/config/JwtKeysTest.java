package org.syncbus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code auth.jwt.keys}: parsing refuses, naming the key's path, every key the verifier could not
 * use, so that neither a start nor a reload gets past parsing with one; and every key it accepts,
 * vertx-auth (the verifier behind {@code org.syncbus.auth.Jwt}) verifies tokens with.
 */
class JwtKeysTest {
  private static final KeyPair RSA = generate("RSA", null);
  private static final KeyPair EC_256 = generate("EC", "secp256r1");
  private static final KeyPair EC_384 = generate("EC", "secp384r1");
  private static final KeyPair EC_521 = generate("EC", "secp521r1");

  /** A self-signed certificate of a P-256 key (openssl req -x509 -newkey ec); its private key was not kept. */
  private static final String EC_CERTIFICATE = """
      -----BEGIN CERTIFICATE-----
      MIIBgzCCASmgAwIBAgIUHQGS18eI+tDHUBZOVZwQaE7DeKUwCgYIKoZIzj0EAwIw
      FzEVMBMGA1UEAwwMc3luY2J1cy10ZXN0MB4XDTI2MTEzMDIyMTA1OVoXDTM2MTEy
      NzIyMTA1OVowFzEVMBMGA1UEAwwMc3luY2J1cy10ZXN0MFkwEwYHKoZIzj0CAQYI
      KoZIzj0DAQcDQgAEtNg/Z2yr6Vk03L7OXlc2k5iRG/d7EFDZkZQgDQ5JsaviDRt9
      vURXxqvLDmJXBEZhiqVK64enNSPjqM97nCuoxaNTMFEwHQYDVR0OBBYEFKyKbrBY
      iTelF4I4CMe9fNziZKIqMB8GA1UdIwQYMBaAFKyKbrBYiTelF4I4CMe9fNziZKIq
      MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAMAuQQi6egVo2wKw
      hVPAmdpl+sAivaAhVWVy25WeJCWzAiA6nqOeItJLmK0BWy2efswAqI72kyG2M1IS
      eMR7TTm88w==
      -----END CERTIFICATE-----
      """;

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static KeyPair generate(String type, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static String publicPem(KeyPair pair) {
    return pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  private static JsonObject publicKey(String algorithm, String pem) {
    return new JsonObject().put("algorithm", algorithm).put("publicKey", pem);
  }

  private static SyncbusConfig parse(Object... keys) {
    return SyncbusConfig.parse(new JsonObject().put("auth", new JsonObject()
        .put("jwt", new JsonObject().put("keys", new JsonArray(java.util.List.of(keys))))), Map.of());
  }

  private static String refusal(Object... keys) {
    return assertThrows(ConfigException.class, () -> parse(keys)).getMessage();
  }

  // --- accepted keys verify tokens -------------------------------------------------------------

  static Stream<Arguments> keyPairs() {
    return Stream.of(
        Arguments.of("RS256", RSA), Arguments.of("RS384", RSA), Arguments.of("RS512", RSA),
        Arguments.of("PS256", RSA), Arguments.of("PS384", RSA), Arguments.of("PS512", RSA),
        Arguments.of("ES256", EC_256), Arguments.of("ES384", EC_384), Arguments.of("ES512", EC_521));
  }

  /** What parsing accepts, vertx-auth verifies with: a token signed by the private key is valid. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("keyPairs")
  void publicKeyIsAcceptedAndVerifiesTokensOfItsAlgorithm(String algorithm, KeyPair pair) throws Exception {
    SyncbusConfig.JwtKey key = parse(publicKey(algorithm, publicPem(pair))).jwt().keys().get(0);
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    JWTAuth verifier = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(key.algorithm()).setBuffer(key.publicKey())));
    String token = signer.generateToken(new JsonObject().put("sub", "t"), new JWTOptions().setAlgorithm(algorithm));
    assertEquals("t", verifier.authenticate(new TokenCredentials(token)).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS).principal().getString("sub"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"HS256", "HS384", "HS512"})
  void sharedSecretIsAccepted(String algorithm) {
    SyncbusConfig.JwtKey key = parse(new JsonObject().put("algorithm", algorithm).put("secret", "s3cret"))
        .jwt().keys().get(0);
    assertEquals(new SyncbusConfig.JwtKey(algorithm, "s3cret", null), key);
    JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(key.algorithm()).setBuffer(key.secret())));
  }

  @Test
  void certificateIsAcceptedForItsKeyType() {
    SyncbusConfig.JwtKey key = parse(publicKey("ES256", EC_CERTIFICATE)).jwt().keys().get(0);
    JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(key.algorithm()).setBuffer(key.publicKey())));
  }

  @Test
  void rsaPublicKeyLabelIsReadAsAPublicKey() {
    String pem = pem("RSA PUBLIC KEY", RSA.getPublic().getEncoded());
    assertEquals(pem, parse(publicKey("RS256", pem)).jwt().keys().get(0).publicKey());
  }

  // --- refused keys name their path ------------------------------------------------------------

  /** One row per rule on a key's settings, with the exact message. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      an unknown algorithm          | {"algorithm":"HS1","secret":"s"}             | auth.jwt.keys[0].algorithm: unsupported algorithm HS1 (expected one of HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512)
      no algorithm                  | {"secret":"s"}                               | auth.jwt.keys[0].algorithm: missing
      a shared key without secret   | {"algorithm":"HS256"}                        | auth.jwt.keys[0].secret: missing
      an empty secret               | {"algorithm":"HS512","secret":""}            | auth.jwt.keys[0].secret: must not be empty
      a public key algorithm without key | {"algorithm":"RS256"}                   | auth.jwt.keys[0].publicKey: missing
      a misspelt key setting        | {"algorithm":"HS256","secret":"s","kid":"k"} | auth.jwt.keys[0].kid: unknown setting
      a key as a string             | "HS256"                                      | auth.jwt.keys[0]: expected an object
      a PEM on one line             | {"algorithm":"RS256","publicKey":"-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----"} | auth.jwt.keys[0].publicKey: not a usable RS256 key (expected a PEM block: a BEGIN line, base64 lines, an END line)
      a PEM without BEGIN line      | {"algorithm":"RS256","publicKey":"MIIB\\nAAAA\\nAAAA"} | auth.jwt.keys[0].publicKey: not a usable RS256 key (expected -----BEGIN PUBLIC KEY----- on the first line)
      a PEM without END line        | {"algorithm":"ES256","publicKey":"-----BEGIN PUBLIC KEY-----\\nAAAA\\nAAAA"} | auth.jwt.keys[0].publicKey: not a usable ES256 key (no -----END PUBLIC KEY----- line)
      a PEM whose END does not match | {"algorithm":"PS256","publicKey":"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END CERTIFICATE-----"} | auth.jwt.keys[0].publicKey: not a usable PS256 key (the END line does not match -----BEGIN PUBLIC KEY-----)
      """)
  void keyRefusedNamingTheSetting(String rule, String key, String message) {
    assertEquals(message, refusal(new JsonArray("[" + key + "]").getValue(0)));
  }

  @Test
  void privateKeyIsRefused() {
    assertEquals("auth.jwt.keys[0].publicKey: not a usable RS256 key (expected a PUBLIC KEY or a CERTIFICATE, got a "
        + "PRIVATE KEY)", refusal(publicKey("RS256", pem("PRIVATE KEY", RSA.getPrivate().getEncoded()))));
  }

  @Test
  void certificateOfTheWrongKeyTypeIsRefused() {
    assertEquals("auth.jwt.keys[0].publicKey: not a usable RS256 key (holds an EC key, RS256 needs an RSA key)",
        refusal(publicKey("RS256", EC_CERTIFICATE)));
  }

  static Stream<Arguments> unreadableKeys() {
    return Stream.of(
        Arguments.of("an EC key for RS256", "RS256", publicPem(EC_256)),
        Arguments.of("an EC key for PS384", "PS384", publicPem(EC_384)),
        Arguments.of("an RSA key for ES256", "ES256", publicPem(RSA)),
        Arguments.of("base64 that is no key", "RS256", pem("PUBLIC KEY", new byte[] {1, 2, 3, 4})));
  }

  /** The reason comes from the JDK's key reader; the path and the algorithm are ours. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableKeys")
  void unreadableKeyIsRefusedNamingItsPath(String rule, String algorithm, String pem) {
    String message = refusal(publicKey(algorithm, pem));
    assertTrue(message.startsWith("auth.jwt.keys[0].publicKey: not a usable " + algorithm + " key ("), message);
  }

  @Test
  void refusalNamesTheKeyByItsIndex() {
    String message = refusal(new JsonObject().put("algorithm", "HS256").put("secret", "s"),
        publicKey("ES256", publicPem(RSA)));
    assertTrue(message.startsWith("auth.jwt.keys[1].publicKey: not a usable ES256 key ("), message);
  }
}
