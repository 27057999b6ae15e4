package org.syncbus.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.bridge.BridgeEventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.syncbus.auth.Access;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.contract.Addresses;
import org.syncbus.contract.Refusal;
import org.syncbus.limits.BodyBudget;
import org.syncbus.queue.Json;
import org.syncbus.limits.Disconnect;
import org.syncbus.support.ThrottledLog;

/**
 * One client of the TCP bridge: the frame protocol of vertx-tcp-eventbus-bridge (a 4-byte
 * big-endian length, then UTF-8 JSON; {@code send}, {@code publish}, {@code register},
 * {@code unregister}, {@code ping}; answered by {@code message}, {@code pong}, {@code err}) on one
 * socket, every frame authorised by {@link BridgeGuard}, everything it may hold bounded.
 *
 * <p><b>Inbound.</b> A frame longer than {@code bridges.maxFrameBytes} is answered
 * {@code frame_too_large} and the connection closed. The first frame must be complete within
 * {@code limits.headerTimeoutSeconds} of the connection, and any frame within as much of its first
 * byte ({@link #frameOverdue}); while it arrives its announced length is claimed from the node's
 * {@link BodyBudget} ({@code limits.bufferedBodyBytes}). A connection cut for any of these, or for
 * being too far behind, is closed at once ({@link Disconnect}), whatever it has not read.
 *
 * <p><b>Outbound, with back-pressure.</b> Everything written to the client (messages, replies,
 * {@code err} frames) is counted until the socket has taken it. Past a small mark the connection
 * stops reading frames (a client that does not read cannot make the node write without end), and
 * so it does with too many requests in flight; past {@code limits.subscriberBufferBytes} the client
 * is disconnected and logged, as on HTTP.
 *
 * <p><b>Registrations</b> are per address: registering again is a no-op, at most
 * {@code bridges.maxRegistrationsPerConnection} addresses. <b>Authentication once:</b> a
 * {@code send} to {@code syncbus.auth} with a JWT makes its claims the connection's until the
 * token's {@code exp}; a frame without a token of its own is judged by them.
 *
 * <p>Used from the bridge verticle's event loop only.
 */
final class TcpBridgeConnection {
  /** Stop reading frames while this many bytes wait to be written to the client. */
  private static final long PAUSE_BYTES = 64 * 1024;
  /** Stop reading frames while this many requests wait for their reply. */
  private static final int MAX_IN_FLIGHT = 64;
  private static final long REQUEST_TIMEOUT_MILLIS = 10_000;
  /** How long a last frame ({@code frame_too_large}) may take to be read before the connection is cut anyway. */
  private static final long LAST_WORDS_MILLIS = 1000;
  private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "token");
  private static final String APPLY_SUFFIX = ".apply";
  private static final Set<String> FRAME_TYPES = Set.of("send", "publish", "register", "unregister", "ping");

  private final BridgeSocket socket;
  private final String address;
  private final Vertx vertx;
  private final EventBus eventBus;
  private final BridgeGuard guard;
  private final Access access;
  private final Supplier<SyncbusConfig> config;
  private final BodyBudget budget;
  private final ThrottledLog log;
  private final Clock clock;
  private final RecordParser parser = RecordParser.newFixed(Integer.BYTES);
  /** What ends each registration, by address ({@link BridgeFanout}). */
  private final Map<String, Runnable> registrations = new LinkedHashMap<>();

  private int frameLength = -1;
  private long received;
  private long consumed;
  /** When the frame in progress began (its first byte), or the connection opened, before its first frame. */
  private long frameStartedNanos = System.nanoTime();
  private boolean framed;
  private BodyBudget.Claim frameClaim;
  private long unwritten;
  private int inFlight;
  private boolean paused;
  private long pausedNanos;
  private boolean closed;
  private final BridgeMeters meters;
  private final BridgeFanout fanout;
  private JsonObject claims;
  private long claimsExpireMillis;

  TcpBridgeConnection(BridgeSocket socket, String address, Vertx vertx, BridgeGuard guard, Access access,
                      Supplier<SyncbusConfig> config, BodyBudget budget, ThrottledLog log, Clock clock,
                      BridgeMeters meters, BridgeFanout fanout) {
    this.meters = meters;
    this.fanout = fanout;
    this.socket = socket;
    this.address = address;
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.guard = guard;
    this.access = access;
    this.config = config;
    this.budget = budget;
    this.log = log;
    this.clock = clock;
  }

  void start() {
    parser.handler(this::onRecord);
    socket.handler(data -> {
      if (closed) {
        return;
      }
      if (received == consumed && framed) {
        frameStartedNanos = System.nanoTime();
      }
      received += data.length();
      parser.handle(data);
    });
  }

  /**
   * Why the connection is overdue after {@code timeoutNanos}, or null: its first frame, or a frame
   * begun, is still incomplete; or it keeps sending frames while it does not read what they are
   * answered with (the connection stopped reading them, and they wait, for that long).
   */
  String overdue(long now, long timeoutNanos) {
    if (paused) {
      return received > consumed && now - pausedNanos > timeoutNanos
          ? "it sends frames but does not read the answers" : null;
    }
    boolean waiting = !framed || received > consumed;
    return waiting && now - frameStartedNanos > timeoutNanos ? "no complete frame" : null;
  }

  String address() {
    return address;
  }

  /** Closes the connection at once, whatever the client has not read. */
  void close() {
    closed = true;
    socket.abort();
  }

  /** The socket closed: registrations end, the frame's claim is given back. */
  void closed() {
    closed = true;
    registrations.values().forEach(Runnable::run);
    registrations.clear();
    meters.closed(this);
    releaseFrame();
  }

  private void onRecord(Buffer record) {
    if (closed) {
      return;
    }
    if (frameLength < 0) {
      onLength(record.getInt(0));
    } else {
      frameLength = -1;
      parser.fixedSizeMode(Integer.BYTES);
      releaseFrame();
      frameDone(Integer.BYTES + record.length());
      onFrame(record);
    }
  }

  /** A frame of {@code bytes} is complete: the next one, if bytes of it are here already, begins now. */
  private void frameDone(long bytes) {
    consumed += bytes;
    framed = true;
    frameStartedNanos = System.nanoTime();
  }

  private void onLength(int length) {
    long max = config.get().bridges().maxFrameBytes();
    if (length < 0 || length > max) {
      log.warn("bridges.maxFrameBytes", () -> "bridge connection from " + address + " closed: a frame of "
          + length + " bytes (bridges.maxFrameBytes is " + max + ")");
      writeAndClose(err("frame_too_large"));
      return;
    }
    if (length == 0) {
      frameDone(Integer.BYTES);
      write(err("invalid_json"));
      return;
    }
    frameClaim = budget.claim();
    if (!frameClaim.grow(length)) {
      log.warn("limits.bufferedBodyBytes", () -> "bridge connection from " + address
          + " closed: no room for a frame of " + length + " bytes (limits.bufferedBodyBytes)");
      writeAndClose(err("busy"));
      return;
    }
    frameLength = length;
    parser.fixedSizeMode(length);
  }

  private void releaseFrame() {
    if (frameClaim != null) {
      frameClaim.release();
      frameClaim = null;
    }
  }

  private void onFrame(Buffer json) {
    JsonObject frame;
    try {
      frame = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      write(err("invalid_json"));
      return;
    }
    Object type = frame.getValue("type");
    if (!(type instanceof String name) || !FRAME_TYPES.contains(name)) {
      meters.frame("unknown");
      write(err("unknown_type"));
      return;
    }
    meters.frame(name);
    switch (name) {
      case "ping" -> write(new JsonObject().put("type", "pong"));
      case "send" -> {
        if (Addresses.AUTH.equals(frame.getValue("address"))) {
          authenticate(frame);
        } else {
          authorized(BridgeEventType.SEND, frame, () -> send(frame, json));
        }
      }
      case "publish" -> authorized(BridgeEventType.PUBLISH, frame, () -> { });
      case "register" -> authorized(BridgeEventType.REGISTER, frame, () -> register(frame.getString("address")));
      default -> unregister(frame.getValue("address"));
    }
  }

  /** Runs {@code action} once {@link BridgeGuard} lets {@code frame} through; else writes its refusal. */
  private void authorized(BridgeEventType type, JsonObject frame, Runnable action) {
    guard.check(type, frame, this::currentClaims).onComplete(decision -> {
      if (closed) {
        return;
      }
      if (decision.succeeded()) {
        action.run();
      } else {
        meters.refused(decision.cause(), address);
        write(BridgeGuard.refusal(frame, decision.cause()));
        // The frame filter and vertx-tcp-eventbus-bridge this replaces followed every refusal
        // with a generic err frame; clients may rely on it.
        write(err("blocked by bridgeEvent handler"));
      }
    });
  }

  private JsonObject currentClaims() {
    if (claims != null && clock.millis() >= claimsExpireMillis) {
      claims = null;
    }
    return claims;
  }

  /**
   * {@code syncbus.auth}: the frame's JWT becomes the connection's until its {@code exp}. The reply
   * says what it grants: {@code {"rights": {Q: [rights…]}, "exp": seconds}}.
   */
  private void authenticate(JsonObject frame) {
    String token;
    try {
      token = BridgeGuard.token(frame);
    } catch (ClassCastException e) {
      token = null;
    }
    String replyAddress = frame.getValue("replyAddress") instanceof String reply ? reply : null;
    access.jwt().claims(token).onComplete(result -> {
      if (closed) {
        return;
      }
      if (result.failed() || !(result.result().getValue("exp") instanceof Number exp)) {
        Throwable refusal = result.failed() ? result.cause()
            : Refusal.UNAUTHENTICATED.with("a connection authenticates with a token that expires (exp)");
        write(BridgeGuard.refusal(frame, refusal));
        return;
      }
      claims = result.result();
      claimsExpireMillis = exp.longValue() * 1000;
      JsonObject rights = claims.getValue(org.syncbus.auth.Jwt.CLAIM) instanceof JsonObject granted
          ? granted : new JsonObject();
      if (replyAddress != null) {
        write(message(replyAddress, new JsonObject().put("rights", rights).put("exp", exp.longValue()), true, null));
      }
    });
  }

  /**
   * A {@code send}. A batch for {@code syncbus.Q.apply} goes as its exact JSON text: Vert.x's
   * {@code JsonObject} holds decimals as 64-bit floats, and would change a value the owner must
   * see as it was sent (and refuse, PROTOCOL.md "Values").
   */
  private void send(JsonObject frame, Buffer json) {
    String target = frame.getString("address");
    Object body = target.endsWith(APPLY_SUFFIX) ? exactBody(json, frame) : frame.getValue("body");
    DeliveryOptions options = deliveryOptions(frame);
    String replyAddress = frame.getValue("replyAddress") instanceof String reply ? reply : null;
    if (replyAddress == null) {
      eventBus.send(target, body, options);
      return;
    }
    inFlight++;
    updateReading();
    eventBus.request(target, body, options.setSendTimeout(REQUEST_TIMEOUT_MILLIS)).onComplete(reply -> {
      inFlight--;
      updateReading();
      if (closed) {
        return;
      }
      if (reply.succeeded()) {
        Message<Object> answer = reply.result();
        write(message(replyAddress, answer.body(), true, headersOf(answer)));
      } else {
        write(replyError(target, replyAddress, reply.cause()));
      }
    });
  }

  private void register(String target) {
    if (registrations.containsKey(target)) {
      return;
    }
    int max = config.get().bridges().maxRegistrationsPerConnection();
    if (registrations.size() >= max) {
      write(new JsonObject().put("type", "err").put("address", target).put("failureCode", Refusal.FORBIDDEN.code())
          .put("failureType", "RECIPIENT_FAILURE").put("message", "too_many_registrations"));
      return;
    }
    registrations.put(target, fanout.register(target, this::writeFramed));
    meters.registered(this, target);
  }

  private void unregister(Object target) {
    Runnable registration = target instanceof String name ? registrations.remove(name) : null;
    if (registration == null) {
      write(err("unknown_address"));
    } else {
      meters.unregistered(this, (String) target);
      registration.run();
    }
  }

  /** The frame's {@code body} as exact JSON text, or as Vert.x decoded it should the exact reading fail. */
  private static Object exactBody(Buffer json, JsonObject frame) {
    try {
      JsonNode body = Json.parse(json.toString(StandardCharsets.UTF_8)).get("body");
      return body == null ? null : Json.encode(body);
    } catch (IOException e) {
      return frame.getValue("body");
    }
  }

  /** The frame's headers as message headers, credentials left out: they are not the bus's business. */
  private static DeliveryOptions deliveryOptions(JsonObject frame) {
    DeliveryOptions options = new DeliveryOptions();
    if (frame.getValue("headers") instanceof JsonObject headers) {
      for (Map.Entry<String, Object> header : headers) {
        if (header.getValue() instanceof String value
            && !CREDENTIAL_HEADERS.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
          options.addHeader(header.getKey(), value);
        }
      }
    }
    return options;
  }

  static JsonObject headersOf(Message<?> message) {
    JsonObject headers = new JsonObject();
    message.headers().forEach(entry -> headers.put(entry.getKey(), entry.getValue()));
    return headers;
  }

  static JsonObject message(String address, Object body, boolean send, JsonObject headers) {
    JsonObject frame = new JsonObject().put("type", "message").put("address", address)
        .put("headers", headers == null ? new JsonObject() : headers);
    if (body != null) {
      frame.put("body", body);
    }
    return frame.put("send", send);
  }

  private static JsonObject replyError(String target, String replyAddress, Throwable cause) {
    ReplyException failure = cause instanceof ReplyException reply ? reply : null;
    return new JsonObject()
        .put("type", "err")
        .put("address", replyAddress)
        .put("sourceAddress", target)
        .put("failureCode", failure == null ? Refusal.UNEXPECTED.code() : failure.failureCode())
        .put("failureType", failure == null ? "RECIPIENT_FAILURE" : failure.failureType().name())
        .put("message", cause.getMessage());
  }

  private static JsonObject err(String message) {
    return new JsonObject().put("type", "err").put("message", message);
  }

  /** {@code frame} as the bridge sends it: its length (4 bytes, big-endian), then its JSON in UTF-8. */
  static Buffer framed(JsonObject frame) {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(json.length + Integer.BYTES).appendInt(json.length).appendBytes(json);
  }

  /** Writes a frame, counted until the socket took it; a client too far behind is disconnected. */
  private void write(JsonObject frame) {
    if (!closed) {
      writeFramed(framed(frame));
    }
  }

  /** Writes a framed frame (perhaps shared with other connections), counted as {@link #write(JsonObject)} does. */
  private void writeFramed(Buffer frame) {
    if (closed) {
      return;
    }
    long limit = config.get().limits().subscriberBufferBytes();
    if (unwritten + frame.length() - Integer.BYTES > limit) {
      log.warn("limits.subscriberBufferBytes", () -> "bridge connection from " + address
          + " disconnected: more than " + limit + " bytes unsent (limits.subscriberBufferBytes)");
      close();
      return;
    }
    int size = frame.length();
    unwritten += size;
    updateReading();
    socket.write(frame, () -> {
      unwritten -= size;
      updateReading();
    });
  }

  /**
   * Writes a last frame, then closes: once the client took it, or at once when it does not read
   * within a moment (the frame is then lost, as the connection would be anyway).
   */
  private void writeAndClose(JsonObject frame) {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    closed = true;
    parser.pause();
    socket.pause();
    socket.write(Buffer.buffer(json.length + Integer.BYTES).appendInt(json.length).appendBytes(json), socket::abort);
    vertx.setTimer(LAST_WORDS_MILLIS, id -> socket.abort());
  }

  /** Reads frames only while the client keeps up and few requests wait: inbound bounded by outbound. */
  private void updateReading() {
    boolean behind = unwritten > PAUSE_BYTES || inFlight >= MAX_IN_FLIGHT;
    if (behind && !paused) {
      paused = true;
      pausedNanos = System.nanoTime();
      parser.pause();
      socket.pause();
    } else if (!behind && paused && !closed) {
      paused = false;
      if (received > consumed) {
        frameStartedNanos = System.nanoTime();
      }
      socket.resume();
      parser.resume();
    }
  }
}
