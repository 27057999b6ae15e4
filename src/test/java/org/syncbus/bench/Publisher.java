package org.syncbus.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.syncbus.auth.TimeTokens;

/**
 * One keep-alive HTTP/1.1 connection that POSTs form bodies ({@code data}, {@code hmac}) or
 * message bodies (Nchan) and reads the answers; blocking, one request at a time. Not thread-safe:
 * one per publishing thread. {@link Server#publish} picks the request a server takes.
 */
final class Publisher implements Closeable {
  private final InetSocketAddress address;
  private final String secret;
  private Socket socket;
  private OutputStream out;
  private InputStream in;
  private boolean mustReconnect = true;
  private String lastBody = "";

  Publisher(InetSocketAddress address, String secret) {
    this.address = address;
    this.secret = secret;
  }

  /** POSTs {@code batch} (a JSON array) to {@code /update}, signed; returns the status. */
  int publish(String batch) throws IOException {
    String token = TimeTokens.sign(secret, batch, TimeTokens.systemSeconds());
    String body = "data=" + URLEncoder.encode(batch, StandardCharsets.UTF_8)
        + "&hmac=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    return post("/update", body);
  }

  /** POSTs a form body to {@code path}; returns the status (the body is in {@link #lastBody()}). */
  int post(String path, String formBody) throws IOException {
    return exchange(request("POST", path, "application/x-www-form-urlencoded", formBody));
  }

  /** POSTs {@code json} as the request body, as is (Nchan's publisher takes a message so). */
  int postBody(String path, String json) throws IOException {
    return exchange(request("POST", path, "application/json", json));
  }

  /** DELETEs {@code path}; returns the status. */
  int delete(String path) throws IOException {
    return exchange(request("DELETE", path, null, ""));
  }

  private byte[] request(String method, String path, String contentType, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
        + (contentType == null ? "" : "\r\nContent-Type: " + contentType) + "\r\nContent-Length: " + body.length
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return request;
  }

  /** GETs {@code path}; returns the status. */
  int get(String path) throws IOException {
    return exchange(("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  String lastBody() {
    return lastBody;
  }

  private int exchange(byte[] request) throws IOException {
    for (int attempt = 0; ; attempt++) {
      boolean fresh = mustReconnect;
      if (mustReconnect) {
        connect();
      }
      try {
        out.write(request);
        out.flush();
        return readResponse();
      } catch (IOException e) {
        // A kept-alive connection the server closed meanwhile: once more on a fresh one.
        mustReconnect = true;
        if (fresh || attempt > 0) {
          throw e;
        }
      }
    }
  }

  private void connect() throws IOException {
    close();
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(address, 10_000);
    socket.setSoTimeout(120_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    mustReconnect = false;
  }

  private int readResponse() throws IOException {
    String status = line();
    if (status.isEmpty()) {
      throw new IOException("connection closed");
    }
    int code = Integer.parseInt(status.substring(status.indexOf(' ') + 1, status.indexOf(' ') + 4));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    String header;
    while (!(header = line()).isEmpty()) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        String size = line();
        int semi = size.indexOf(';');
        long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        copy(n, body);
        line();
      }
    } else if (length >= 0) {
      copy(length, body);
    } else {
      close = true;
      in.transferTo(body);
    }
    lastBody = body.toString(StandardCharsets.UTF_8);
    if (close) {
      mustReconnect = true;
    }
    return code;
  }

  private void copy(long n, ByteArrayOutputStream to) throws IOException {
    byte[] buf = new byte[8192];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException("connection closed in a response body");
      }
      if (to.size() < 4096) {
        to.write(buf, 0, r);
      }
      n -= r;
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) b);
    }
    if (sb.length() == 0) {
      return "";
    }
    throw new IOException("connection closed in a response head");
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
    mustReconnect = true;
  }
}
