package org.syncbus.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.LongConsumer;
import org.syncbus.limits.BodyBudget;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads an {@code application/x-www-form-urlencoded} body up to a size limit, without Vert.x's own
 * form decoder (whose 8 KB attribute limit would refuse real batches before any code runs).
 */
final class FormBody {
  /** The body was larger than allowed. */
  static final class TooLarge extends RuntimeException {
    TooLarge(long limit) {
      super("more than " + limit + " bytes (http.maxBodyBytes)", null, false, false);
    }
  }

  /** The bodies held in memory across the node already take the whole budget. */
  static final class NoRoom extends RuntimeException {
    NoRoom() {
      super("request bodies held in memory are at limits.bufferedBodyBytes; retry later", null, false, false);
    }
  }

  /** The body is not a well-formed form. */
  static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private FormBody() {}

  /** The declared length of {@code request}'s body, or -1 when it has none (chunked) or a bad one. */
  static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length == null ? -1 : parseLength(length);
  }

  /**
   * The body of {@code request}: failed with {@link TooLarge} past {@code limit} bytes, with
   * {@link NoRoom} when {@code claim} (which already holds the declared length, if any) cannot grow
   * for a chunk beyond it. {@code onBytes} hears of every chunk, for the pace of the body. After a
   * failure the rest of the body is read and dropped, so that the refusal can still be answered.
   */
  static Future<Buffer> read(HttpServerRequest request, long limit, BodyBudget.Claim claim, LongConsumer onBytes) {
    if (declaredLength(request) > limit) {
      return Future.failedFuture(new TooLarge(limit));
    }
    Promise<Buffer> body = Promise.promise();
    Buffer content = Buffer.buffer();
    request.handler(chunk -> {
      onBytes.accept(chunk.length());
      if (body.future().isComplete()) {
        return;
      }
      long size = content.length() + chunk.length();
      if (size > limit) {
        body.tryFail(new TooLarge(limit));
      } else if (size > claim.held() && !claim.grow(size - claim.held())) {
        body.tryFail(new NoRoom());
      } else {
        content.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(v -> body.tryComplete(content));
    request.resume();
    return body.future();
  }

  private static long parseLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The fields of a form; the first of repeated fields wins. */
  static Map<String, String> parse(Buffer body) {
    Map<String, String> fields = new HashMap<>();
    String text = body.toString(StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return fields;
    }
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      fields.putIfAbsent(name, value);
    }
    return fields;
  }

  /**
   * The first value of {@code name} in the request's query string, or null. Unlike
   * {@code request.getParam}, it keeps no decoded map on the request: a stream's request lives as
   * long as the stream, and thousands of them do. For the same reason it reads the query from the
   * URI (which the request keeps anyway) instead of {@code request.query()}, which would keep a
   * copy of it on the request.
   */
  static String queryParam(HttpServerRequest request, String name) {
    String uri = request.uri();
    int mark = uri.indexOf('?');
    if (mark < 0) {
      return null;
    }
    int start = mark + 1;
    while (start <= uri.length()) {
      int end = uri.indexOf('&', start);
      end = end < 0 ? uri.length() : end;
      int equals = uri.indexOf('=', start);
      boolean hasValue = equals >= 0 && equals < end;
      String key = decodeLeniently(uri.substring(start, hasValue ? equals : end));
      if (key.equals(name)) {
        return hasValue ? decodeLeniently(uri.substring(equals + 1, end)) : "";
      }
      start = end + 1;
    }
    return null;
  }

  /** A query parameter that does not decode is taken as written: it then fails as a wrong value would. */
  private static String decodeLeniently(String text) {
    try {
      return decode(text);
    } catch (Malformed e) {
      return text;
    }
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Malformed("bad percent-encoding in form body");
    }
  }
}
