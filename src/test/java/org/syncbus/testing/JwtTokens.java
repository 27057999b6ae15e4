package org.syncbus.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import java.util.List;
import java.util.Map;
import org.syncbus.auth.Jwt;
import org.syncbus.config.SyncbusConfig;

/**
 * JWTs for the tests that hand them to third-party clients (README, "Bridges and JWT"): signed
 * by syncbus's own {@link Jwt} with an HS256 secret that the node under test is given in
 * {@code auth.jwt.keys} ({@link #auth}).
 */
public final class JwtTokens {
  /** How long a token is valid: longer than any test. */
  private static final int VALID_SECONDS = 600;
  /** How long ago an expired token expired: beyond any clock skew the check allows. */
  private static final long EXPIRED_SECONDS_AGO = 60;

  private JwtTokens() {}

  /** The {@code auth} section of a node that accepts JWTs signed with {@code secret}. */
  public static JsonObject auth(String secret) {
    return new JsonObject().put("jwt", new JsonObject()
        .put("keys", new JsonArray().add(new JsonObject().put("algorithm", "HS256").put("secret", secret))));
  }

  /** A JWT signed with {@code secret}, granting {@code rights} on {@code queue} for 10 minutes. */
  public static String sign(Vertx vertx, String secret, String queue, String... rights) {
    return sign(vertx, secret, new JsonObject().put(queue, new JsonArray(List.of((Object[]) rights))));
  }

  /** A JWT signed with {@code secret} whose {@code syncbus} claim is {@code rights} (by queue), for 10 minutes. */
  public static String sign(Vertx vertx, String secret, JsonObject rights) {
    return signer(vertx, secret).sign(new JsonObject().put(Jwt.CLAIM, rights),
        new JWTOptions().setExpiresInSeconds(VALID_SECONDS));
  }

  /** A JWT signed with {@code secret}, granting {@code rights} on {@code queue}, that expired a minute ago. */
  public static String expired(Vertx vertx, String secret, String queue, String... rights) {
    return signer(vertx, secret).sign(claims(queue, rights).put("exp", Tokens.now() - EXPIRED_SECONDS_AGO), new JWTOptions());
  }

  private static Jwt signer(Vertx vertx, String secret) {
    return Jwt.create(vertx, SyncbusConfig.parse(Configs.defaultNode().put("auth", auth(secret)), Map.of()).jwt());
  }

  private static JsonObject claims(String queue, String... rights) {
    return new JsonObject().put(Jwt.CLAIM, new JsonObject().put(queue, new JsonArray(List.of((Object[]) rights))));
  }
}
