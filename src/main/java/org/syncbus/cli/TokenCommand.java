package org.syncbus.cli;

import io.vertx.core.Vertx;
import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Option;
import io.vertx.core.cli.annotations.Summary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.launcher.DefaultCommand;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Arrays;
import java.util.List;
import org.syncbus.auth.Jwt;

/**
 * {@code syncbus token --secret S [--queue Q] [--rights publish,subscribe] [--ttl SECONDS]
 * [--issuer I] [--audience A]}: prints an HS256 JWT granting rights on a queue, signed with one of
 * the secrets of {@code auth.jwt.keys}.
 */
@Name("token")
@Summary("Prints a JWT (HS256) granting rights on a queue.")
@Description("The token carries the claim {\"syncbus\": {\"Q\": [rights]}} and expires after --ttl seconds. "
    + "Sign it with a secret of an HS256 key of auth.jwt.keys; give --issuer and --audience when the server checks them.")
public final class TokenCommand extends DefaultCommand {
  private String secret;
  private String queue = "default";
  private String rights = "publish,subscribe";
  private long ttl = 3600;
  private String issuer;
  private String audience;

  @Option(longName = "secret", argName = "S")
  @Description("The HS256 secret, as in auth.jwt.keys.")
  public void setSecret(String secret) {
    this.secret = secret;
  }

  @Option(longName = "queue", argName = "Q")
  @Description("The queue, or * for every queue (default: default).")
  public void setQueue(String queue) {
    this.queue = queue;
  }

  @Option(longName = "rights", argName = "R")
  @Description("Comma-separated rights: publish, subscribe (default: both), or admin with --queue '*' (metrics, console).")
  public void setRights(String rights) {
    this.rights = rights;
  }

  @Option(longName = "ttl", argName = "SECONDS")
  @Description("Lifetime of the token (default: 3600).")
  public void setTtl(String ttl) {
    try {
      this.ttl = Long.parseLong(ttl);
    } catch (NumberFormatException e) {
      this.ttl = -1;
    }
  }

  @Option(longName = "issuer", argName = "I")
  @Description("The iss claim.")
  public void setIssuer(String issuer) {
    this.issuer = issuer;
  }

  @Option(longName = "audience", argName = "A")
  @Description("The aud claim.")
  public void setAudience(String audience) {
    this.audience = audience;
  }

  @Override
  public void run() {
    if (secret == null || secret.isEmpty()) {
      ClientCommand.exit(ClientCommand.USAGE, "syncbus token: --secret S is required");
    }
    if (ttl <= 0) {
      ClientCommand.exit(ClientCommand.USAGE, "syncbus token: --ttl must be a positive number of seconds");
    }
    List<String> granted = Arrays.stream(rights.split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList();
    for (String right : granted) {
      if (Arrays.stream(Jwt.Right.values()).noneMatch(r -> r.claimName().equals(right))) {
        ClientCommand.exit(ClientCommand.USAGE, "syncbus token: unknown right " + right + " (publish, subscribe, admin)");
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
          .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
      JWTOptions options = new JWTOptions().setExpiresInSeconds((int) Math.min(ttl, Integer.MAX_VALUE));
      if (issuer != null) {
        options.setIssuer(issuer);
      }
      if (audience != null) {
        options.setAudience(List.of(audience));
      }
      JsonObject claims = new JsonObject().put(Jwt.CLAIM, new JsonObject().put(queue, new JsonArray(List.copyOf(granted))));
      System.out.println(auth.generateToken(claims, options));
    } finally {
      vertx.close();
    }
    ClientCommand.exit(ClientCommand.OK, null);
  }
}
