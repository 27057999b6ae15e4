package org.syncbus.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BaseBridgeEvent;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.syncbus.auth.Access;
import org.syncbus.auth.Credentials;
import org.syncbus.auth.Jwt;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Refusal;
import org.syncbus.contract.Refused;

/**
 * Who may do what through an event-bus bridge: deny by default, every frame authorised here.
 *
 * <p>Reachable, per configured queue {@code Q}: sending to {@code syncbus.Q.apply} (needs the
 * {@code publish} right) and to {@code syncbus.Q.snapshot} ({@code subscribe}), and registering on
 * {@code syncbus.Q.updates} ({@code subscribe}). Nothing else: no other address, no publishing, no
 * registering on {@code apply}. The token (a JWT) comes in the frame's headers, as
 * {@code Authorization: Bearer …} or {@code token}. The TCP bridge does not check
 * {@code requiredAuthority}, so rights are checked here for both bridges alike.
 *
 * <p>A refusal is an {@code err} frame with a failure code, 401 (no valid token) or 403 (not
 * allowed), addressed to the reply address when the client waits for a reply, so its request
 * fails with that code; the connection stays open and nothing is applied.
 */
public final class BridgeGuard {

  private final Access access;

  /** Checks tokens and queues with {@code access}, which follows reloads. */
  public BridgeGuard(Access access) {
    this.access = access;
  }

  /** Lets through the addresses a bridge may reach at all; what each client may do is decided per frame. */
  static <T extends BridgeOptions> T permit(T options) {
    String queue = Pattern.quote(Addresses.PREFIX) + Addresses.QUEUE_NAME + "\\.";
    options.addInboundPermitted(new PermittedOptions().setAddressRegex(queue + "(apply|snapshot)"))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(queue + "updates"));
    return options;
  }

  /**
   * Decides {@code event} of {@code client} (its address): completes it with true, or counts the
   * refusal in {@code meters}, writes it with {@code refuse} and completes it with false.
   */
  <E extends BaseBridgeEvent> void handle(E event, String client, BridgeMeters meters, BiConsumer<E, JsonObject> refuse) {
    check(event.type(), event.getRawMessage(), null).onComplete(result -> {
      if (result.succeeded()) {
        event.complete(true);
      } else {
        meters.refused(result.cause(), client);
        refuse.accept(event, refusal(event.getRawMessage(), result.cause()));
        event.complete(false);
      }
    });
  }

  /**
   * Whether {@code frame} (of {@code type}) may go through: succeeds, or fails with a
   * {@link Refused} (401, 403). A frame without a token of its own is judged by
   * {@code connection}'s claims, when the connection authenticated ({@code syncbus.auth}) and
   * they have not expired; null where connections do not authenticate.
   */
  Future<Void> check(BridgeEventType type, JsonObject frame, ConnectionClaims connection) {
    try {
      return switch (type) {
        case SEND -> authorize(frame, connection, "apply", Jwt.Right.PUBLISH, "snapshot", Jwt.Right.SUBSCRIBE);
        case REGISTER -> authorize(frame, connection, "updates", Jwt.Right.SUBSCRIBE, null, null);
        case PUBLISH -> Future.failedFuture(Refusal.FORBIDDEN.with(
            "publishing through the bridge is not allowed: send batches to syncbus.Q.apply"));
        default -> Future.succeededFuture();
      };
    } catch (RuntimeException e) {
      // A frame of the wrong shape (headers not an object, address not a string, …).
      return Future.failedFuture(Refusal.FORBIDDEN.with("malformed frame"));
    }
  }

  /** The claims a connection authenticated with, until they expire. */
  interface ConnectionClaims {
    /** The claims, or null when the connection has none (never authenticated, or expired). */
    JsonObject current();
  }

  private Future<Void> authorize(JsonObject frame, ConnectionClaims connection, String kind, Jwt.Right right,
                                 String otherKind, Jwt.Right otherRight) {
    String address = frame == null ? null : frame.getString("address");
    Matcher matcher = address == null ? null : Addresses.PUBLIC.matcher(address);
    if (matcher == null || !matcher.matches()
        || !(matcher.group(2).equals(kind) || matcher.group(2).equals(otherKind))) {
      return Future.failedFuture(Refusal.FORBIDDEN.with("address not reachable: " + address));
    }
    String queue = matcher.group(1);
    if (!access.queues().contains(queue)) {
      return Future.failedFuture(Refusal.FORBIDDEN.with("unknown queue: " + queue));
    }
    Jwt.Right needed = matcher.group(2).equals(kind) ? right : otherRight;
    String token = token(frame);
    JsonObject claims = token == null && connection != null ? connection.current() : null;
    if (claims == null) {
      return access.jwt().authorize(token, queue, needed);
    }
    return Jwt.allows(claims, queue, needed) ? Future.succeededFuture() : Future.failedFuture(
        Refusal.FORBIDDEN.with("the connection's token does not grant " + needed.claimName() + " on queue " + queue));
  }

  /** The JWT of a frame's headers: {@code Authorization: Bearer …} or {@code token}; null without. */
  static String token(JsonObject frame) {
    JsonObject headers = frame.getJsonObject("headers");
    if (headers == null) {
      return null;
    }
    String authorization = headers.getString("Authorization", headers.getString("authorization"));
    String bearer = Credentials.bearer(authorization);
    return bearer != null ? bearer : headers.getString("token");
  }

  /** The {@code err} frame that refuses {@code frame}: addressed to its reply address when it has one. */
  static JsonObject refusal(JsonObject frame, Throwable cause) {
    int code = (cause instanceof Refused refused ? refused.refusal() : Refusal.UNEXPECTED).code();
    String replyAddress = frame == null ? null : frame.getString("replyAddress");
    String address = frame == null ? null : frame.getString("address");
    return new JsonObject()
        .put("type", "err")
        .put("address", replyAddress != null ? replyAddress : address)
        .put("sourceAddress", address)
        .put("failureCode", code)
        .put("failureType", "RECIPIENT_FAILURE")
        .put("message", cause.getMessage());
  }
}
