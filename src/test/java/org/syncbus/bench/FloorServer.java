package org.syncbus.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;

/**
 * The machine's floor for syncbus's fan-out (README, Benchmarks): what serving the same wire
 * protocol costs with nothing but the sockets. One NIO thread, no authentication, no JSON work.
 *
 * <ul>
 *   <li>{@code GET /poll…}: the chunked response head and the current backlog line as one chunk,
 *       then the connection is a subscriber.
 *   <li>{@code POST /update}: reads the body (Content-Length), URL-decodes the {@code data} field,
 *       and writes {@code data + "\n"} as one pre-encoded chunk (one direct buffer, duplicated) to
 *       every subscriber, then answers 200 with an empty body (keep-alive).
 *   <li>The backlog, for parity in the backlog scenarios, is the concatenation of the published
 *       batches' elements (the text between each batch's outer brackets): the bench publishes
 *       distinct keys there, so it is the same line syncbus sends. It is encoded once per change.
 *       {@code POST /reset} empties it (the bench's equivalent of deleting every record).
 *   <li>Writes are non-blocking with a per-socket pending queue; a subscriber with more than
 *       {@value #LIMIT} bytes of lines pending is dropped, as syncbus does with its default limit.
 *   <li>{@code GET /health} and {@code GET /__ping} answer 200.
 * </ul>
 *
 * <p>Run: {@code java -cp … org.syncbus.bench.FloorServer PORT [HOST]} (default 127.0.0.1).
 */
public final class FloorServer {
  private static final int LIMIT = 4 * 1024 * 1024;
  private static final int MAX_BACKLOG = 512 * 1024 * 1024;
  private static final byte[] POLL_HEAD = ("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
      + "transfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK_EMPTY = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Selector selector;
  private final ServerSocketChannel server;
  private final ArrayList<Conn> subscribers = new ArrayList<>();
  private final ByteArrayOutputStream backlog = new ByteArrayOutputStream();
  private ByteBuffer backlogChunk;
  private final ByteBuffer pollHead = direct(POLL_HEAD);
  private final ByteBuffer okEmpty = direct(OK_EMPTY);
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

  private FloorServer(InetSocketAddress address) throws IOException {
    selector = Selector.open();
    server = ServerSocketChannel.open();
    server.bind(address, 4096);
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    String host = args.length > 1 ? args[1] : "127.0.0.1";
    FloorServer floor = new FloorServer(new InetSocketAddress(host, port));
    System.out.println("floor: listening on " + host + ":" + port);
    floor.run();
  }

  private static final class Conn {
    final SocketChannel channel;
    final SelectionKey key;
    byte[] in = new byte[2048];
    int inLength;
    int scanned;
    boolean subscriber;
    int index = -1;
    ArrayDeque<ByteBuffer> pending;
    ByteBuffer uncounted;
    long pendingBytes;
    boolean closed;

    Conn(SocketChannel channel, SelectionKey key) {
      this.channel = channel;
      this.key = key;
    }
  }

  private void run() throws IOException {
    while (true) {
      selector.select();
      var selected = selector.selectedKeys();
      for (SelectionKey key : selected) {
        if (!key.isValid()) {
          continue;
        }
        if (key.isAcceptable()) {
          accept();
          continue;
        }
        Conn c = (Conn) key.attachment();
        try {
          if (key.isWritable()) {
            flush(c);
          }
          if (!c.closed && key.isReadable()) {
            read(c);
          }
        } catch (IOException | RuntimeException e) {
          if (!(e instanceof IOException)) {
            e.printStackTrace();
          }
          close(c);
        }
      }
      selected.clear();
    }
  }

  private void accept() throws IOException {
    SocketChannel ch;
    while ((ch = server.accept()) != null) {
      ch.configureBlocking(false);
      ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
      key.attach(new Conn(ch, key));
    }
  }

  private void read(Conn c) throws IOException {
    while (true) {
      readBuffer.clear();
      int n = c.channel.read(readBuffer);
      if (n < 0) {
        close(c);
        return;
      }
      if (n == 0) {
        return;
      }
      if (c.subscriber) {
        continue; // a subscriber sends nothing more that matters
      }
      readBuffer.flip();
      if (c.in.length - c.inLength < n) {
        c.in = Arrays.copyOf(c.in, Math.max(c.in.length * 2, c.inLength + n));
      }
      readBuffer.get(c.in, c.inLength, n);
      c.inLength += n;
      handleRequests(c);
      if (c.closed || n < readBuffer.capacity()) {
        return;
      }
    }
  }

  /** Handles every complete request in the connection's input (keep-alive, pipelining). */
  private void handleRequests(Conn c) throws IOException {
    while (!c.closed && !c.subscriber) {
      int headEnd = headEnd(c);
      if (headEnd < 0) {
        return;
      }
      String head = new String(c.in, 0, headEnd, StandardCharsets.ISO_8859_1);
      int length = contentLength(head);
      int total = headEnd + length;
      if (c.inLength < total) {
        if (c.in.length < total) {
          c.in = Arrays.copyOf(c.in, total);
        }
        return;
      }
      int sp1 = head.indexOf(' ');
      int sp2 = head.indexOf(' ', sp1 + 1);
      String method = head.substring(0, sp1);
      String target = head.substring(sp1 + 1, sp2);
      String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
      if (method.equals("GET") && path.equals("/poll")) {
        subscribe(c);
        return;
      } else if (method.equals("POST") && path.equals("/update")) {
        String body = new String(c.in, headEnd, length, StandardCharsets.ISO_8859_1);
        publish(field(body, "data"));
        send(c, okEmpty.duplicate(), false);
      } else if (method.equals("POST") && path.equals("/reset")) {
        backlog.reset();
        backlogChunk = null;
        send(c, okEmpty.duplicate(), false);
      } else if (method.equals("GET") && (path.equals("/health") || path.equals("/__ping"))) {
        send(c, direct("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\npong".getBytes(StandardCharsets.US_ASCII)), false);
      } else {
        send(c, direct("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), false);
      }
      System.arraycopy(c.in, total, c.in, 0, c.inLength - total);
      c.inLength -= total;
      c.scanned = 0;
      if (c.in.length > 64 * 1024 && c.inLength < 2048) {
        c.in = Arrays.copyOf(c.in, 2048);
      }
    }
  }

  private static int headEnd(Conn c) {
    byte[] a = c.in;
    for (int i = Math.max(3, c.scanned); i < c.inLength; i++) {
      if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
        return i + 1;
      }
    }
    c.scanned = Math.max(3, c.inLength);
    return -1;
  }

  private static int contentLength(String head) {
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("\r\ncontent-length:");
    if (at < 0) {
      return 0;
    }
    int end = lower.indexOf("\r\n", at + 2);
    return Integer.parseInt(lower.substring(at + 17, end).trim());
  }

  private static String field(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      if (eq >= 0 && pair.substring(0, eq).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return "[]";
  }

  private void subscribe(Conn c) throws IOException {
    if (backlogChunk == null) {
      byte[] records = backlog.toByteArray();
      byte[] line = new byte[records.length + 3];
      line[0] = '[';
      System.arraycopy(records, 0, line, 1, records.length);
      line[line.length - 2] = ']';
      line[line.length - 1] = '\n';
      backlogChunk = chunk(line);
    }
    c.subscriber = true;
    c.in = null;
    c.index = subscribers.size();
    subscribers.add(c);
    send(c, pollHead.duplicate(), false);
    send(c, backlogChunk.duplicate(), false);
  }

  private void publish(String data) {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    byte[] line = Arrays.copyOf(bytes, bytes.length + 1);
    line[bytes.length] = '\n';
    ByteBuffer chunk = chunk(line);
    appendToBacklog(bytes);
    // Iterate backwards: a subscriber dropped here is swapped with the last one.
    for (int i = subscribers.size() - 1; i >= 0; i--) {
      if (i >= subscribers.size()) {
        continue;
      }
      Conn s = subscribers.get(i);
      try {
        send(s, chunk.duplicate(), true);
      } catch (IOException e) {
        close(s);
      }
    }
  }

  private void appendToBacklog(byte[] batch) {
    int from = 0;
    int to = batch.length - 1;
    while (from <= to && batch[from] != '[') {
      from++;
    }
    while (to >= from && batch[to] != ']') {
      to--;
    }
    from++;
    while (from < to && isSpace(batch[from])) {
      from++;
    }
    while (to > from && isSpace(batch[to - 1])) {
      to--;
    }
    if (from >= to || backlog.size() + (to - from) > MAX_BACKLOG) {
      return;
    }
    if (backlog.size() > 0) {
      backlog.write(',');
    }
    backlog.write(batch, from, to - from);
    backlogChunk = null;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private void send(Conn c, ByteBuffer buffer, boolean counted) throws IOException {
    if (c.closed) {
      return;
    }
    if (c.pending == null || c.pending.isEmpty()) {
      c.channel.write(buffer);
      if (!buffer.hasRemaining()) {
        return;
      }
      if (c.pending == null) {
        c.pending = new ArrayDeque<>();
      }
      c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
    c.pending.add(buffer);
    if (counted) {
      c.pendingBytes += buffer.remaining();
      if (c.pendingBytes > LIMIT) {
        close(c);
      }
    } else {
      c.uncounted = buffer;
    }
  }

  private void flush(Conn c) throws IOException {
    ByteBuffer head;
    while ((head = c.pending.peek()) != null) {
      int before = head.remaining();
      c.channel.write(head);
      if (head != c.uncounted) {
        c.pendingBytes -= before - head.remaining();
      }
      if (head.hasRemaining()) {
        return;
      }
      c.pending.poll();
      if (head == c.uncounted) {
        c.uncounted = null;
      }
    }
    c.key.interestOps(SelectionKey.OP_READ);
  }

  private void close(Conn c) {
    if (c.closed) {
      return;
    }
    c.closed = true;
    if (c.subscriber && c.index >= 0) {
      int last = subscribers.size() - 1;
      Conn moved = subscribers.get(last);
      subscribers.set(c.index, moved);
      moved.index = c.index;
      subscribers.remove(last);
      c.index = -1;
    }
    c.pending = null;
    c.key.cancel();
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // closed
    }
  }

  private static ByteBuffer chunk(byte[] line) {
    byte[] size = (Integer.toHexString(line.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocateDirect(size.length + line.length + 2);
    b.put(size).put(line).put((byte) '\r').put((byte) '\n').flip();
    return b;
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }
}
