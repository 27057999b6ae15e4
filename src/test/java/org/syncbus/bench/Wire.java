package org.syncbus.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.syncbus.auth.Jwt;
import org.syncbus.auth.TimeTokens;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Await;

/**
 * How one kind of subscriber reaches a server and reads it: where a connection goes, what it
 * sends once connected, and how what comes back divides into messages ({@link Framing}). The
 * {@link Subscribers} of a target speak its wire; everything else about them (counting, latency
 * probes, retries) is the same for every kind, so that the kinds are measured alike.
 *
 * <p>Every kind has a <em>first message</em> that tells a subscriber it is in place before
 * anything is published: syncbus's backlog line on {@code /poll}, its {@code snapshot} event on
 * {@code /events}, the reply to a snapshot request sent on the TCP bridge right after the
 * {@code register} (a bridge answers a connection's frames in order, so the registration is in
 * place by then), and on Nchan the one message {@link Server#reset} leaves in the channel
 * ({@code http-raw-stream} sends no response head before a first message, so without it there
 * would be no sign of being subscribed).
 */
final class Wire {
  /** The HS256 secret of {@code auth.jwt.keys} that {@code scripts/bench} configures syncbus with. */
  static final String JWT_SECRET = "bench-jwt-secret-0123456789abcdef";
  /** The queue every syncbus target uses (the bench's syncbus configuration has no other). */
  static final String QUEUE = "default";
  /** A bench lasts minutes; its bridge subscribers' token outlives it. */
  private static final int JWT_SECONDS = 6 * 3600;

  /** How the bytes a subscriber receives divide into messages. */
  enum Framing {
    /** An HTTP response, chunked or ended by the close, one message per line. */
    LINES,
    /**
     * An HTTP response of server-sent events: one message per {@code data:} line; the other lines
     * ({@code id:}, {@code event:}, comments, the blank line ending an event) are framing.
     */
    EVENTS,
    /** No HTTP: the TCP bridge's frames, a 4-byte big-endian length then JSON, one message each. */
    FRAMES
  }

  /** The kind's name: {@code poll}, {@code events}, {@code bridge} or {@code raw-stream}. */
  final String kind;
  final InetSocketAddress address;
  final Framing framing;
  private final Supplier<byte[]> request;

  private Wire(String kind, InetSocketAddress address, Framing framing, Supplier<byte[]> request) {
    this.kind = kind;
    this.address = address;
    this.framing = framing;
    this.request = request;
  }

  /** What a new connection sends first (fresh: a time token is valid for a short time only). */
  ByteBuffer request() {
    return ByteBuffer.wrap(request.get());
  }

  /** {@code GET /poll}, signed: syncbus's original stream, and the floor's (which ignores the token). */
  static Wire poll(InetSocketAddress http) {
    Supplier<String> token = pollToken();
    return new Wire("poll", http, Framing.LINES,
        () -> get(http, "/poll?data=%7B%7D&hmac=" + token.get()));
  }

  /** {@code GET /events}, signed: syncbus's server-sent events. */
  static Wire events(InetSocketAddress http) {
    Supplier<String> token = pollToken();
    return new Wire("events", http, Framing.EVENTS, () -> get(http, "/events?hmac=" + token.get()));
  }

  /**
   * syncbus's TCP bridge: {@code register} on the queue's updates, then a snapshot request whose
   * reply is the first message; both frames carry {@code jwt}, as every frame must.
   */
  static Wire bridge(InetSocketAddress bridge, String jwt) {
    JsonObject headers = new JsonObject().put("Authorization", "Bearer " + jwt);
    byte[] frames = concat(
        frame(new JsonObject().put("type", "register").put("address", Addresses.updates(QUEUE)).put("headers", headers)),
        frame(new JsonObject().put("type", "send").put("address", Addresses.snapshot(QUEUE)).put("body", new JsonObject())
            .put("replyAddress", "bench-snapshot").put("headers", headers)));
    return new Wire("bridge", bridge, Framing.FRAMES, () -> frames);
  }

  /** Nchan's {@code http-raw-stream} subscriber location: every message followed by a newline. */
  static Wire rawStream(InetSocketAddress http, String path) {
    return new Wire("raw-stream", http, Framing.LINES, () -> get(http, path));
  }

  /**
   * An HS256 JWT granting {@code subscribe} on {@link #QUEUE}, signed with {@link #JWT_SECRET}, as
   * {@code syncbus token} mints it (vertx-auth-jwt's own signer, not the bench's).
   */
  static String subscriberJwt() {
    Vertx vertx = Vertx.vertx();
    try {
      JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
          .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
      JsonObject claims = new JsonObject().put(Jwt.CLAIM,
          new JsonObject().put(QUEUE, new JsonArray(List.of(Jwt.Right.SUBSCRIBE.claimName()))));
      return auth.generateToken(claims, new JWTOptions().setExpiresInSeconds(JWT_SECONDS));
    } finally {
      Await.await(vertx.close());
    }
  }

  private static byte[] get(InetSocketAddress to, String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: " + to.getHostString() + ":" + to.getPort() + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** One bridge frame: the JSON's length as 4 bytes, big-endian, then the JSON in UTF-8. */
  private static byte[] frame(JsonObject json) {
    byte[] body = json.encode().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** The poll token, signed again when the second changes (a token is valid for a short time only). */
  private static Supplier<String> pollToken() {
    long[] at = {-1};
    String[] token = {null};
    return () -> {
      synchronized (at) {
        long now = TimeTokens.systemSeconds();
        if (now != at[0]) {
          at[0] = now;
          token[0] = URLEncoder.encode(TimeTokens.sign(Server.SUBSCRIBE_SECRET, "None", now), StandardCharsets.UTF_8);
        }
        return token[0];
      }
    };
  }
}
