package org.syncbus.limits;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.syncbus.testing.Await;
import org.syncbus.testing.Configs;
import org.syncbus.testing.TestNode;
import org.syncbus.testing.Tokens;

/**
 * Attackers' connections: raw TCP, each from a loopback source address the test chooses (all of
 * 127.0.0.0/8 is local on Linux), so that the node sees as many clients as the test likes and its
 * log says which attack a line is about. Bytes are written from the test's threads; one selector
 * thread reads every connection, noting its response's status line and when the node closed it,
 * so that tests wait on those futures, bounded, never by sleeping. A connection the node closes is
 * closed on this side at once (its descriptor is given back); {@link #close()} closes the rest.
 */
final class RawConnections implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final long STOP_MILLIS = 5_000;
  /** Bytes of a response kept: its status line and headers, never a stream's body. */
  private static final int KEPT_BYTES = 4096;
  /** A test writes a few KB at most: a loopback socket's buffer takes them in one write or a few. */
  private static final int MAX_WRITE_ATTEMPTS = 100;
  private static final int CHUNK_BYTES = 64 * 1024;
  private static final byte[] CRLF = {'\r', '\n'};

  private final Selector selector;
  private final Thread reader;
  private final Queue<RawConnection> toRegister = new ConcurrentLinkedQueue<>();
  private final List<RawConnection> opened = new ArrayList<>();
  private volatile boolean closing;
  private volatile Throwable readerFailure;

  /** What became of a request: the status of the response's first line, 0 when there was none. */
  record Response(int status, long afterMillis) {}

  RawConnections(String name) throws IOException {
    selector = Selector.open();
    reader = new Thread(this::readAll, name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects from {@code source} to the node on loopback {@code port} (bounded), and starts reading. */
  RawConnection open(String source, int port) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.bind(new InetSocketAddress(source, 0));
      channel.socket().connect(new InetSocketAddress(TestNode.HOST, port), CONNECT_TIMEOUT_MILLIS);
      channel.configureBlocking(false);
    } catch (IOException e) {
      channel.close();
      throw new IOException("connecting from " + source + " to port " + port + ": " + e.getMessage(), e);
    }
    RawConnection connection = new RawConnection(channel);
    synchronized (opened) {
      opened.add(connection);
    }
    toRegister.add(connection);
    selector.wakeup();
    return connection;
  }

  /**
   * Sends one request whole over a blocking socket from {@code source} ({@code chunked}: its body
   * in chunks of {@value #CHUNK_BYTES} bytes) and reads its status: 0 when none came. A node that
   * answers before the body is all sent may close meanwhile: the status is read anyway. Bounded by
   * {@link Await#TIMEOUT} for connecting and for each read.
   */
  static int exchange(String source, int port, String head, byte[] body, boolean chunked) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(TestNode.HOST, port), (int) Await.TIMEOUT.toMillis());
      socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
      try {
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), CHUNK_BYTES + 16);
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        for (int start = 0; start < body.length; start += CHUNK_BYTES) {
          int length = Math.min(CHUNK_BYTES, body.length - start);
          if (chunked) {
            out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          }
          out.write(body, start, length);
          if (chunked) {
            out.write(CRLF);
          }
        }
        if (chunked) {
          out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
      } catch (IOException e) {
        // The node answered and closed before the whole body was sent: its answer is read below.
      }
      return statusOf(socket);
    }
  }

  /**
   * The status of a {@code POST /update} of {@code bodyBytes} bytes signed with a wrong token: 403
   * once the node read it, 503 when {@code limits.bufferedBodyBytes} had no room for it.
   */
  static int updateWithWrongToken(String source, int port, int bodyBytes) throws IOException {
    String form = "hmac=" + Tokens.encode(Tokens.update("not-the-publish-secret", "x")) + "&data=";
    byte[] body = (form + "x".repeat(bodyBytes - form.length())).getBytes(StandardCharsets.ISO_8859_1);
    return exchange(source, port, "POST " + TestNode.updatePath(Configs.DEFAULT) + " HTTP/1.1\r\nHost: " + TestNode.HOST
        + ":" + port + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length
        + "\r\n\r\n", body, false);
  }

  private static int statusOf(Socket socket) {
    StringBuilder line = new StringBuilder();
    try {
      InputStream in = socket.getInputStream();
      for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 200; b = in.read()) {
        line.append((char) b);
      }
    } catch (IOException e) {
      return 0;
    }
    return RawConnection.status(line.toString().trim());
  }

  /** The source address {@code index} of attack {@code attack}: 127.0.ATTACK.(1 to 250). */
  static String source(int attack, int index) {
    return "127.0." + attack + "." + (1 + index % 250);
  }

  private void readAll() {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (!closing) {
        selector.select();
        for (RawConnection connection = toRegister.poll(); connection != null; connection = toRegister.poll()) {
          try {
            connection.channel.register(selector, SelectionKey.OP_READ, connection);
          } catch (ClosedChannelException e) {
            connection.ended();
          }
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          ((RawConnection) key.attachment()).read(buffer);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        readerFailure = e;
      }
    }
  }

  /** Fails when the reading thread died: every wait on a connection would then only time out. */
  void assertReading() {
    if (readerFailure != null) {
      throw new AssertionError("the attackers' reader failed", readerFailure);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closing = true;
    selector.wakeup();
    reader.join(STOP_MILLIS);
    List<RawConnection> all;
    synchronized (opened) {
      all = List.copyOf(opened);
      opened.clear();
    }
    for (RawConnection connection : all) {
      connection.channel.close();
    }
    selector.close();
  }

  /** One attacker's connection. Written by one test thread at a time; read by the selector thread only. */
  static final class RawConnection {
    private final SocketChannel channel;
    private final long openedNanos = System.nanoTime();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<Response> response = new CompletableFuture<>();
    private final CompletableFuture<Long> closed = new CompletableFuture<>();
    private volatile long sentNanos = openedNanos;

    private RawConnection(SocketChannel channel) {
      this.channel = channel;
    }

    /** Writes {@code bytes} whole; false when the node has closed the connection already. */
    boolean send(byte[] bytes) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      try {
        for (int attempt = 0; buffer.hasRemaining() && attempt < MAX_WRITE_ATTEMPTS; attempt++) {
          channel.write(buffer);
        }
      } catch (IOException e) {
        return false;
      }
      if (buffer.hasRemaining()) {
        throw new AssertionError("the node took " + buffer.position() + " of " + bytes.length + " bytes");
      }
      sentNanos = System.nanoTime();
      return true;
    }

    boolean send(String text) {
      return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The response's status line once it came (timed from the last write), or status 0 when the node closed first. */
    CompletableFuture<Response> response() {
      return response;
    }

    /** When the node closed the connection, in milliseconds after it was opened. */
    CompletableFuture<Long> closed() {
      return closed;
    }

    /** Bytes the node sent (the first {@value #KEPT_BYTES}). */
    synchronized int receivedBytes() {
      return received.size();
    }

    private synchronized void read(ByteBuffer buffer) {
      buffer.clear();
      int read;
      try {
        read = channel.read(buffer);
      } catch (IOException e) {
        ended();
        return;
      }
      if (read < 0) {
        ended();
        return;
      }
      received.write(buffer.array(), 0, Math.min(read, KEPT_BYTES - received.size()));
      String text = received.toString(StandardCharsets.ISO_8859_1);
      int lineEnd = text.indexOf("\r\n");
      if (lineEnd > 0 && !response.isDone()) {
        response.complete(new Response(status(text.substring(0, lineEnd)), millisSince(sentNanos)));
      }
    }

    private void ended() {
      response.complete(new Response(0, millisSince(sentNanos)));
      closed.complete(millisSince(openedNanos));
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a socket the peer closed can only fail as already closed: the descriptor is gone either way.
      }
    }

    /** The status of an HTTP status line; 0 when it is none. */
    static int status(String statusLine) {
      String[] parts = statusLine.split(" ", 3);
      return parts.length >= 2 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
    }

    private static long millisSince(long nanos) {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
  }
}
