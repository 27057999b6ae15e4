package org.syncbus.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.syncbus.config.ConfigException;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;
import org.syncbus.config.SyncbusConfig;

/**
 * JWT access to queues, for the bridges and as an alternative to time tokens over HTTP.
 *
 * <p>A token is accepted when one of the configured keys verifies its signature, it has not
 * expired, and its issuer and audience match when configured. Its rights are the claim
 * {@code "syncbus": {"Q": ["publish", "subscribe"]}}, where a queue named {@code *} stands for
 * every queue. Verification is local (no I/O).
 */
public final class Jwt {
  /** The claim holding the rights. */
  public static final String CLAIM = "syncbus";
  /** The queue name that stands for every queue in the claim. */
  public static final String ANY_QUEUE = "*";

  /** What a token may do with a queue. */
  public enum Right {
    PUBLISH("publish"),
    SUBSCRIBE("subscribe"),
    /** The node's admin endpoints ({@code /metrics}, the console): granted on {@code *} only. */
    ADMIN("admin");

    private final String claimName;

    Right(String claimName) {
      this.claimName = claimName;
    }

    public String claimName() {
      return claimName;
    }
  }

  /** The registered claims that must be numbers (NumericDate, RFC 7519 section 4.1) when present. */
  private static final List<String> NUMERIC_CLAIMS = List.of("exp", "nbf", "iat");

  private final JWTAuth auth;
  private final boolean requireExp;

  private Jwt(JWTAuth auth, boolean requireExp) {
    this.auth = auth;
    this.requireExp = requireExp;
  }

  /** The verifier of {@code config}; one that refuses every token when no key is configured. */
  public static Jwt create(Vertx vertx, SyncbusConfig.Jwt config) {
    if (!config.enabled()) {
      return new Jwt(null, config.requireExp());
    }
    JWTAuthOptions options = new JWTAuthOptions();
    for (int i = 0; i < config.keys().size(); i++) {
      SyncbusConfig.JwtKey key = config.keys().get(i);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(key.algorithm())
          .setBuffer(key.secret() != null ? key.secret() : key.publicKey()));
    }
    JWTOptions checks = new JWTOptions();
    if (config.issuer() != null) {
      checks.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      checks.setAudience(List.of(config.audience()));
    }
    try {
      return new Jwt(JWTAuth.create(vertx, options.setJWTOptions(checks)), config.requireExp());
    } catch (RuntimeException e) {
      throw new ConfigException("auth.jwt.keys: a key cannot be used (" + e.getMessage() + ")");
    }
  }

  public boolean enabled() {
    return auth != null;
  }

  /** Succeeds when {@code token} is valid and grants {@code right} on {@code queue}; else {@link Refused} (401 or 403). */
  public Future<Void> authorize(String token, String queue, Right right) {
    return claims(token).compose(claims -> allows(claims, queue, right)
        ? Future.succeededFuture()
        : Future.failedFuture(Refusal.FORBIDDEN.with(
            "the token does not grant " + right.claimName() + " on queue " + queue)));
  }

  /** The claims of a valid token (its whole payload, {@code exp} included); {@link Refused} 401 otherwise. */
  public Future<JsonObject> claims(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(Refusal.UNAUTHENTICATED.with("missing token"));
    }
    if (auth == null) {
      return Future.failedFuture(Refusal.UNAUTHENTICATED.with("JWTs are not accepted (no auth.jwt.keys)"));
    }
    String malformed = registeredClaimsProblem(token);
    if (malformed != null) {
      return Future.failedFuture(Refusal.UNAUTHENTICATED.with("invalid token (" + malformed + ")"));
    }
    Future<User> user;
    try {
      user = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth reads claims with casts: anything it chokes on is a bad token, never a 500.
      user = Future.failedFuture(e);
    }
    return user
        // The token's whole payload: vertx-auth keeps exp, iat and nbf out of the principal.
        .map(valid -> valid.attributes().getJsonObject("accessToken", valid.principal()))
        .recover(error -> Future.failedFuture(Refusal.UNAUTHENTICATED.with(
            "invalid token (" + error.getMessage() + ")")));
  }

  /**
   * What is wrong with the registered claims of {@code token}'s payload, read before the
   * signature is checked (a forged token is refused all the same, later): {@code exp}, {@code nbf},
   * {@code iat} must be numbers, {@code aud} a string or a list of strings, {@code exp} present
   * unless {@code auth.jwt.requireExp} is false. Null when they are fine, or when the payload is
   * not readable at all (the signature check then says so).
   */
  private String registeredClaimsProblem(String token) {
    JsonObject payload;
    try {
      String[] parts = token.split("\\.");
      payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
    for (String claim : NUMERIC_CLAIMS) {
      if (payload.containsKey(claim) && !(payload.getValue(claim) instanceof Number)) {
        return claim + ": expected a number";
      }
    }
    Object audience = payload.getValue("aud");
    if (audience != null && !(audience instanceof String)
        && !(audience instanceof JsonArray list && list.stream().allMatch(String.class::isInstance))) {
      return "aud: expected a string or a list of strings";
    }
    if (requireExp && !payload.containsKey("exp")) {
      return "exp: missing (auth.jwt.requireExp)";
    }
    return null;
  }

  /** Whether {@code claims} grant {@code right} on {@code queue}. */
  public static boolean allows(JsonObject claims, String queue, Right right) {
    if (!(claims.getValue(CLAIM) instanceof JsonObject rights)) {
      return false;
    }
    return grants(rights.getValue(queue), right) || grants(rights.getValue(ANY_QUEUE), right);
  }

  private static boolean grants(Object rights, Right right) {
    return rights instanceof JsonArray list && list.contains(right.claimName());
  }

  /** Signs {@code claims} with the first key (for the {@code token} command and tests). */
  public String sign(JsonObject claims, JWTOptions options) {
    if (auth == null) {
      throw new IllegalStateException("no auth.jwt.keys to sign with");
    }
    return auth.generateToken(claims, options);
  }
}
