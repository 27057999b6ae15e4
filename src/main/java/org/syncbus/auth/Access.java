package org.syncbus.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Refusal;

/**
 * Who may do what on which queue, for one edge (one event loop): time tokens signed with the
 * queue's secrets, JWTs, and secret rotation (README, "Reloading the configuration").
 *
 * <p><b>Rotation.</b> When a reload changes a queue's secrets and {@code auth.secretOverlapSeconds}
 * is above 0, the previous secrets are still accepted until the overlap ends, so that publishers
 * and subscribers can move over; an overlap of 0 forgets them at once. Time comes from the
 * injected {@link Clock}.
 *
 * <p>Not thread-safe: each edge instance has its own, used and reconfigured on its event loop.
 */
public final class Access {
  private final Vertx vertx;
  private final Clock clock;
  private SyncbusConfig config;
  private TimeTokens tokens;
  private Jwt jwt;
  private final Map<String, Previous> previous = new HashMap<>();

  /** Secrets replaced by a reload, accepted until {@code until}. */
  private record Previous(SyncbusConfig.Secrets secrets, Instant until) {}

  public Access(Vertx vertx, Clock clock, SyncbusConfig config) {
    this.vertx = vertx;
    this.clock = clock;
    use(config);
  }

  /** Takes a reloaded configuration: keys, token lifetimes and secrets for the next requests. */
  public void reconfigure(SyncbusConfig next) {
    long overlap = next.secretOverlapSeconds();
    if (overlap == 0) {
      previous.clear();
    }
    for (SyncbusConfig.Queue queue : config.queues().values()) {
      SyncbusConfig.Queue after = next.queue(queue.name());
      SyncbusConfig.Secrets before = queue.secrets();
      if (after == null) {
        previous.remove(queue.name());
      } else if (overlap > 0 && !after.secrets().equals(before) && !before.publish().isEmpty()
          && !before.subscribe().isEmpty()) {
        previous.put(queue.name(), new Previous(before, clock.instant().plusSeconds(overlap)));
      }
    }
    use(next);
  }

  private void use(SyncbusConfig next) {
    config = next;
    tokens = new TimeTokens(next.timeTokens().ttlSeconds(), next.timeTokens().maxSkewSeconds(), clock);
    jwt = Jwt.create(vertx, next.jwt());
  }

  /** The JWT verifier of the running configuration (the bridges authorise their frames with it). */
  public Jwt jwt() {
    return jwt;
  }

  /** The queues of the running configuration. */
  public Set<String> queues() {
    return config.queues().keySet();
  }

  /**
   * Succeeds when {@code credentials} allow {@code right} on {@code queue}: with the JWT when
   * there is one, else with the time token signing {@code message} with the queue's secret for
   * that right (current, or previous during an overlap). Fails with a
   * {@link org.syncbus.contract.Refused}: 401/403 for JWTs, {@code Missing hmac parameter} or
   * {@code Invalid token} for time tokens.
   */
  public Future<Void> authorize(String queue, Jwt.Right right, Credentials credentials, String message) {
    if (credentials.bearer() != null) {
      return jwt.authorize(credentials.bearer(), queue, right);
    }
    if (!config.timeTokens().enabled()) {
      return Future.succeededFuture();
    }
    if (credentials.hmac() == null) {
      return Future.failedFuture(Refusal.MISSING_TOKEN.with(null));
    }
    for (SyncbusConfig.Secrets secrets : acceptedSecrets(queue)) {
      if (tokens.valid(right == Jwt.Right.PUBLISH ? secrets.publish() : secrets.subscribe(), message,
          credentials.hmac())) {
        return Future.succeededFuture();
      }
    }
    return Future.failedFuture(Refusal.INVALID_TOKEN.with(null));
  }

  /**
   * Succeeds when {@code bearer} is an admin credential: the configured {@code admin.token}, or a
   * JWT granting {@code admin} on {@code *}. Fails with a {@link org.syncbus.contract.Refused}:
   * 401 without a credential or with a wrong one, 403 for a valid JWT without the right.
   */
  public Future<Void> authorizeAdmin(String bearer) {
    if (bearer == null) {
      return Future.failedFuture(Refusal.UNAUTHENTICATED.with("an admin credential is needed (Authorization: Bearer)"));
    }
    String token = config.admin().token();
    if (token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), bearer.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture();
    }
    if (bearer.chars().filter(c -> c == '.').count() == 2 && jwt.enabled()) {
      return jwt.authorize(bearer, Jwt.ANY_QUEUE, Jwt.Right.ADMIN);
    }
    return Future.failedFuture(Refusal.UNAUTHENTICATED.with("not an admin credential"));
  }

  /** The secrets a time token may be signed with now: the current ones, and the previous ones during the overlap. */
  private List<SyncbusConfig.Secrets> acceptedSecrets(String queue) {
    SyncbusConfig.Secrets current = config.queue(queue).secrets();
    Previous before = previous.get(queue);
    if (before == null) {
      return List.of(current);
    }
    if (clock.instant().isBefore(before.until())) {
      return List.of(current, before.secrets());
    }
    previous.remove(queue);
    return List.of(current);
  }
}
