package org.syncbus.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A population of subscribers of one {@link Wire} on one or two NIO selector threads: each
 * connection sends the wire's request, then decodes what comes back as it streams, in two
 * layers: the transport (an HTTP response head, then a chunked body or one that the close ends;
 * or, on the TCP bridge, length-prefixed frames) and the messages in it ({@link Wire.Framing}:
 * lines, the {@code data:} lines of server-sent events, or frames). Messages are counted without
 * being kept. A connection costs a channel and one small object, so 10,000 of them are cheap.
 *
 * <p>Every connection counts its complete messages, called lines below (the first one is the
 * backlog, see {@link Wire}). Probe connections, spread evenly through the population, also read
 * the {@code "t"} field of each later line (the publisher's {@link System#nanoTime()}, same JVM)
 * and record publish-to-receipt latency. With {@code countRecords}, the first line's records are
 * counted (occurrences of {@code "pad"}), to check a backlog arrived whole.
 *
 * <p>One instance is one population: {@link #open} it, wait for {@link #awaitFirstLines}, read
 * the live counters, then {@link #close} it (connections are reset, not shut down politely, so no
 * TIME_WAIT piles up) and read the {@link #stats}.
 */
final class Subscribers implements AutoCloseable {
  private static final int MAX_ATTEMPTS = 4;
  private static final byte[] T_FIELD = "\"t\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PAD_FIELD = "\"pad\"".getBytes(StandardCharsets.US_ASCII);
  /** How a server-sent event's message line starts. */
  private static final byte[] DATA_PREFIX = "data:".getBytes(StandardCharsets.US_ASCII);
  /** How a refusal frame of the TCP bridge starts (Vert.x writes {@code type} first). */
  private static final byte[] ERR_FRAME = "{\"type\":\"err\"".getBytes(StandardCharsets.US_ASCII);

  private final Wire wire;
  private final boolean countRecords;
  private final Loop[] loops;
  private long openedAt;
  private int count;

  Subscribers(Wire wire, int threads, boolean countRecords) throws IOException {
    this.wire = wire;
    this.countRecords = countRecords;
    this.loops = new Loop[Math.max(1, threads)];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = new Loop(i);
      loops[i].start();
    }
  }

  /**
   * Starts opening {@code count} connections, at most {@code maxInFlight} waiting for their first
   * line at a time; {@code probes} of them (every count/probes-th, from the middle of the first
   * stride) record latency.
   */
  void open(int count, int probes, int maxInFlight) {
    this.count = count;
    int stride = probes <= 0 ? Integer.MAX_VALUE : Math.max(1, count / probes);
    int perLoop = Math.max(1, maxInFlight / loops.length);
    openedAt = System.nanoTime();
    List<List<Conn>> shares = new ArrayList<>();
    for (Loop loop : loops) {
      shares.add(new ArrayList<>());
    }
    int probeCount = 0;
    for (int i = 0; i < count; i++) {
      boolean probe = stride != Integer.MAX_VALUE && i % stride == stride / 2 && probeCount < probes;
      if (probe) {
        probeCount++;
      }
      shares.get(i % loops.length).add(new Conn(i, probe));
    }
    for (int l = 0; l < loops.length; l++) {
      Loop loop = loops[l];
      List<Conn> share = shares.get(l);
      loop.submit(() -> {
        loop.maxInFlight = perLoop;
        loop.toOpen.addAll(share);
      });
    }
  }

  long openedAt() {
    return openedAt;
  }

  /** Connections that have their first line. */
  long firstLines() {
    long n = 0;
    for (Loop loop : loops) {
      n += loop.firstLines;
    }
    return n;
  }

  /** Seconds from {@link #open} to the latest first line so far. */
  double firstLineSeconds() {
    long t = openedAt;
    for (Loop loop : loops) {
      t = Math.max(t, loop.lastFirstLineAt);
    }
    return (t - openedAt) / 1e9;
  }

  /** Connections given up (refused, or failed {@value #MAX_ATTEMPTS} times before their first line). */
  long failed() {
    long n = 0;
    for (Loop loop : loops) {
      n += loop.failed;
    }
    return n;
  }

  /** Lines after the first, over every connection. */
  long lines() {
    long n = 0;
    for (Loop loop : loops) {
      n += loop.lines;
    }
    return n;
  }

  /** When the last line after a first one was received (nanoTime), 0 when none. */
  long lastLineAt() {
    long t = 0;
    for (Loop loop : loops) {
      t = Math.max(t, loop.lastLineAt);
    }
    return t;
  }

  /** Waits until every connection has its first line or was given up; false on timeout. */
  boolean awaitFirstLines(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (firstLines() + failed() < count) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  /**
   * Waits until every connection has {@code expected} lines after its first, or nothing arrived
   * for {@code quietMillis}, or {@code timeoutMillis} passed; true when all arrived.
   */
  boolean awaitLines(long expected, long quietMillis, long timeoutMillis) throws InterruptedException {
    long target = expected * (firstLines());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long last = -1;
    long lastChange = System.nanoTime();
    while (true) {
      long now = lines();
      if (now >= target) {
        return true;
      }
      long t = System.nanoTime();
      if (now != last) {
        last = now;
        lastChange = t;
      } else if (t - lastChange > TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
        return false;
      }
      if (t > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
  }

  /** Resets every connection and stops the threads. */
  @Override
  public void close() throws InterruptedException {
    for (Loop loop : loops) {
      loop.submit(loop::shutdown);
    }
    for (Loop loop : loops) {
      loop.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  /** Figures of the population; call after {@link #close}. */
  Stats stats(long expectedLines) {
    Stats s = new Stats();
    s.connections = count;
    s.latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    s.minLines = Long.MAX_VALUE;
    s.maxLines = Long.MIN_VALUE;
    s.minRecords = Long.MAX_VALUE;
    s.maxRecords = Long.MIN_VALUE;
    s.lastFirstLineAt = openedAt;
    for (Loop loop : loops) {
      s.latencyMicros.add(loop.latency);
      s.retries += loop.retries;
      s.refusedStatus = Math.max(s.refusedStatus, loop.refusedStatus);
      if (loop.error != null) {
        s.error = loop.error;
      }
      for (Conn c : loop.conns) {
        if (c.lines == 0) {
          continue;
        }
        s.served++;
        long after = c.lines - 1;
        s.totalLines += after;
        s.minLines = Math.min(s.minLines, after);
        s.maxLines = Math.max(s.maxLines, after);
        s.missing += Math.max(0, expectedLines - after);
        s.extra += Math.max(0, after - expectedLines);
        s.lastFirstLineAt = Math.max(s.lastFirstLineAt, c.firstLineAt);
        s.minRecords = Math.min(s.minRecords, c.records);
        s.maxRecords = Math.max(s.maxRecords, c.records);
        if (c.ended) {
          s.endedByServer++;
        }
        if (c.probe) {
          s.probes++;
        }
      }
    }
    s.failed = count - s.served;
    if (s.served == 0) {
      s.minLines = s.maxLines = s.minRecords = s.maxRecords = 0;
    }
    s.missing += s.failed * Math.max(0, expectedLines);
    s.firstLineSeconds = (s.lastFirstLineAt - openedAt) / 1e9;
    return s;
  }

  static final class Stats {
    int connections;
    long served;
    long failed;
    long retries;
    int refusedStatus;
    String error;
    long totalLines;
    long minLines;
    long maxLines;
    long missing;
    long extra;
    long endedByServer;
    long minRecords;
    long maxRecords;
    long probes;
    long lastFirstLineAt;
    double firstLineSeconds;
    Histogram latencyMicros;
  }

  // ---------------------------------------------------------------------------------------------

  // The transport's states.
  private static final int HEADERS = 0;
  private static final int SIZE = 1;
  private static final int SIZE_EXT = 2;
  private static final int SIZE_LF = 3;
  private static final int DATA = 4;
  private static final int DATA_CR = 5;
  private static final int DATA_LF = 6;
  private static final int DONE = 7;
  /** A body without chunks: everything up to the close is data (Nchan's raw stream). */
  private static final int UNTIL_CLOSE = 8;
  /** A bridge frame's 4-byte length, then its body. */
  private static final int FRAME_LENGTH = 9;
  private static final int FRAME_BODY = 10;

  // Where a connection is in its current line (the message layer).
  /** Part of a message: counted at its end, its bytes scanned for records or latency. */
  private static final int MESSAGE = 0;
  /** Framing (an event's {@code id:} or {@code event:} line, a comment, a blank line): skipped. */
  private static final int FRAMING = 1;
  /** At the start of a server-sent event's line, not yet known to be {@code data:} or not. */
  private static final int UNDECIDED = 2;

  /** One connection's decoding state. */
  private static final class Conn {
    final int index;
    final boolean probe;
    SocketChannel channel;
    ByteBuffer request;
    int attempts;
    long firstLineAt;
    int state;
    byte[] header;
    /** Bytes of the response head so far; on the bridge, of the frame's length. */
    int headerLength;
    /** Bytes left in the current chunk or frame; on the bridge, the frame's length while it is read. */
    long chunkLeft;
    /** {@link #MESSAGE}, {@link #FRAMING} or {@link #UNDECIDED}. */
    int lineKind;
    /** Bytes of {@link #DATA_PREFIX} or {@link #ERR_FRAME} matched so far at the line's or frame's start. */
    int prefix;
    long lines;
    long records;
    int match;
    int tPhase;
    long t;
    boolean ended;
    boolean given;

    Conn(int index, boolean probe) {
      this.index = index;
      this.probe = probe;
    }
  }

  private final class Loop extends Thread {
    final Selector selector;
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final ArrayDeque<Conn> toOpen = new ArrayDeque<>();
    final List<Conn> conns = new ArrayList<>();
    final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    final byte[] bytes = buffer.array();
    final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    int maxInFlight = 1;
    int inFlight;
    boolean running = true;
    volatile long firstLines;
    volatile long lastFirstLineAt;
    volatile long failed;
    volatile long lines;
    volatile long lastLineAt;
    volatile long retries;
    volatile int refusedStatus;
    volatile String error;

    Loop(int id) throws IOException {
      super("bench-subscribers-" + id);
      setDaemon(true);
      selector = Selector.open();
    }

    void submit(Runnable task) {
      tasks.add(task);
      selector.wakeup();
    }

    @Override
    public void run() {
      try {
        while (running) {
          Runnable task;
          while ((task = tasks.poll()) != null) {
            task.run();
          }
          while (running && inFlight < maxInFlight && !toOpen.isEmpty()) {
            start(toOpen.poll());
          }
          selector.select(50);
          var selected = selector.selectedKeys();
          for (SelectionKey key : selected) {
            Conn c = (Conn) key.attachment();
            if (!key.isValid()) {
              continue;
            }
            try {
              if (key.isConnectable()) {
                connected(c, key);
              } else {
                if (key.isWritable()) {
                  writeRequest(c, key);
                }
                if (key.isValid() && key.isReadable()) {
                  read(c);
                }
              }
            } catch (IOException e) {
              lost(c, e);
            }
          }
          selected.clear();
        }
      } catch (Throwable e) {
        error = e.toString();
        e.printStackTrace();
      } finally {
        try {
          selector.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }

    void shutdown() {
      for (Conn c : conns) {
        reset(c);
      }
      toOpen.clear();
      running = false;
    }

    void start(Conn c) {
      if (c.attempts == 0) {
        conns.add(c);
      }
      c.attempts++;
      inFlight++;
      if (wire.framing == Wire.Framing.FRAMES) {
        c.state = FRAME_LENGTH;
        c.chunkLeft = 0;
        c.headerLength = 0;
      } else {
        c.state = HEADERS;
        c.header = new byte[1024];
        c.headerLength = 0;
      }
      newLine(c);
      c.request = wire.request();
      try {
        SocketChannel ch = SocketChannel.open();
        c.channel = ch;
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (ch.connect(wire.address)) {
          SelectionKey key = ch.register(selector, 0, c);
          sendRequest(c, key);
        } else {
          ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
      } catch (IOException e) {
        if (c.channel == null) {
          inFlight--;
          giveUp(c, e.toString());
        } else {
          lost(c, e);
        }
      }
    }

    void connected(Conn c, SelectionKey key) throws IOException {
      if (c.channel.finishConnect()) {
        sendRequest(c, key);
      }
    }

    void sendRequest(Conn c, SelectionKey key) throws IOException {
      c.channel.write(c.request);
      key.interestOps(c.request.hasRemaining() ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
    }

    void writeRequest(Conn c, SelectionKey key) throws IOException {
      if (c.request != null && c.request.hasRemaining()) {
        c.channel.write(c.request);
      }
      if (c.request == null || !c.request.hasRemaining()) {
        c.request = null;
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    void read(Conn c) throws IOException {
      for (int round = 0; round < 4; round++) {
        buffer.clear();
        int n = c.channel.read(buffer);
        if (n < 0) {
          lost(c, null);
          return;
        }
        if (n == 0) {
          return;
        }
        parse(c, n, System.nanoTime());
        if (c.state == DONE || c.channel == null) {
          return;
        }
        if (n < buffer.capacity()) {
          return;
        }
      }
    }

    /** The connection ended or failed: before its first line it is retried, after it counted as ended. */
    void lost(Conn c, IOException e) {
      if (c.channel == null) {
        return;
      }
      if (c.lines > 0) {
        c.ended = true;
        reset(c);
        return;
      }
      reset(c);
      inFlight--;
      if (c.attempts < MAX_ATTEMPTS) {
        retries++;
        toOpen.add(c);
      } else {
        giveUp(c, e == null ? "closed before its first line" : e.toString());
      }
    }

    void giveUp(Conn c, String why) {
      if (!c.given) {
        c.given = true;
        failed++;
        if (error == null) {
          error = "subscriber " + c.index + ": " + why;
        }
      }
    }

    void reset(Conn c) {
      SocketChannel ch = c.channel;
      if (ch == null) {
        return;
      }
      c.channel = null;
      try {
        if (ch.isConnected()) {
          ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        ch.close();
      } catch (IOException ignored) {
        // closed
      }
    }

    /** The transport layer: {@code n} bytes just read into {@link #bytes}. */
    void parse(Conn c, int n, long now) {
      byte[] a = bytes;
      int i = 0;
      while (i < n) {
        switch (c.state) {
          case HEADERS -> {
            i = header(c, a, i, n);
            if (c.channel == null) {
              return;
            }
          }
          case SIZE -> {
            byte b = a[i++];
            int digit = Character.digit(b, 16);
            if (digit >= 0) {
              c.chunkLeft = c.chunkLeft * 16 + digit;
            } else if (b == ';' || b == ' ') {
              c.state = SIZE_EXT;
            } else if (b == '\r') {
              c.state = SIZE_LF;
            } else {
              protocolError(c, "bad chunk size byte " + b);
              return;
            }
          }
          case SIZE_EXT -> {
            if (a[i++] == '\r') {
              c.state = SIZE_LF;
            }
          }
          case SIZE_LF -> {
            if (a[i++] != '\n') {
              protocolError(c, "chunk size not ended by CRLF");
              return;
            }
            if (c.chunkLeft == 0) {
              c.state = DONE;
              lost(c, null);
              return;
            }
            c.state = DATA;
          }
          case DATA -> {
            int take = (int) Math.min(c.chunkLeft, n - i);
            body(c, a, i, i + take, now);
            i += take;
            c.chunkLeft -= take;
            if (c.chunkLeft == 0) {
              c.state = DATA_CR;
            }
          }
          case DATA_CR -> {
            if (a[i++] != '\r') {
              protocolError(c, "chunk data not ended by CRLF");
              return;
            }
            c.state = DATA_LF;
          }
          case DATA_LF -> {
            if (a[i++] != '\n') {
              protocolError(c, "chunk data not ended by CRLF");
              return;
            }
            c.state = SIZE;
          }
          case UNTIL_CLOSE -> {
            body(c, a, i, n, now);
            i = n;
          }
          case FRAME_LENGTH -> {
            c.chunkLeft = c.chunkLeft << 8 | (a[i++] & 0xff);
            if (++c.headerLength == 4) {
              c.state = FRAME_BODY;
              c.prefix = 0;
              if (c.chunkLeft == 0) {
                frameEnd(c, now);
              }
            }
          }
          case FRAME_BODY -> {
            int take = (int) Math.min(c.chunkLeft, n - i);
            if (!frameStart(c, a, i, i + take)) {
              return;
            }
            message(c, a, i, i + take);
            i += take;
            c.chunkLeft -= take;
            if (c.chunkLeft == 0) {
              frameEnd(c, now);
            }
          }
          default -> {
            return;
          }
        }
      }
    }

    /**
     * Refuses a frame starting {@link #ERR_FRAME} (the bridge refused the token or the address);
     * false when it did, and the connection is given up with the frame's text as the reason.
     */
    boolean frameStart(Conn c, byte[] a, int from, int to) {
      for (int i = from; i < to && c.prefix >= 0 && c.prefix < ERR_FRAME.length; i++) {
        c.prefix = a[i] == ERR_FRAME[c.prefix] ? c.prefix + 1 : -1;
      }
      if (c.prefix == ERR_FRAME.length) {
        String why = "bridge: " + new String(a, from, to - from, StandardCharsets.UTF_8);
        if (c.lines == 0) {
          refused(c, 0, why);
        } else {
          protocolError(c, why);
        }
        return false;
      }
      return true;
    }

    void frameEnd(Conn c, long now) {
      endOfMessage(c, now);
      c.state = FRAME_LENGTH;
      c.chunkLeft = 0;
      c.headerLength = 0;
    }

    void protocolError(Conn c, String why) {
      if (error == null) {
        error = "subscriber " + c.index + ": " + why;
      }
      c.state = DONE;
      lost(c, null);
    }

    /** Accumulates the response head; returns the index after what it consumed. */
    int header(Conn c, byte[] a, int from, int n) {
      int i = from;
      while (i < n) {
        if (c.headerLength == c.header.length) {
          if (c.header.length >= 64 * 1024) {
            protocolError(c, "response head too long");
            return n;
          }
          c.header = java.util.Arrays.copyOf(c.header, c.header.length * 2);
        }
        byte b = a[i++];
        c.header[c.headerLength++] = b;
        int len = c.headerLength;
        if (b == '\n' && len >= 4 && c.header[len - 2] == '\r' && c.header[len - 3] == '\n' && c.header[len - 4] == '\r') {
          String head = new String(c.header, 0, len, StandardCharsets.ISO_8859_1);
          c.header = null;
          int status = parseStatus(head);
          if (status != 200) {
            refused(c, status, "status " + status + ": " + head.lines().findFirst().orElse(""));
            return n;
          }
          boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
          c.state = chunked ? SIZE : UNTIL_CLOSE;
          c.chunkLeft = 0;
          return i;
        }
      }
      return i;
    }

    /** A refusal: retried when the server was busy (503), else the connection is given up. */
    void refused(Conn c, int status, String why) {
      if (status > 0) {
        refusedStatus = status;
      }
      reset(c);
      inFlight--;
      if (status == 503 && c.attempts < MAX_ATTEMPTS) {
        retries++;
        toOpen.add(c);
      } else {
        giveUp(c, why);
      }
    }

    /** The message layer over an HTTP body: lines, of which the wire's framing says which are messages. */
    void body(Conn c, byte[] a, int from, int to, long now) {
      int i = from;
      while (i < to) {
        if (c.lineKind == UNDECIDED) {
          i = decideLine(c, a, i, to);
          continue;
        }
        int end = i;
        while (end < to && a[end] != '\n') {
          end++;
        }
        if (c.lineKind == MESSAGE) {
          message(c, a, i, end);
        }
        if (end == to) {
          return;
        }
        if (c.lineKind == MESSAGE) {
          endOfMessage(c, now);
        }
        newLine(c);
        i = end + 1;
      }
    }

    /** Reads a server-sent event line's start until it is known to be {@code data:} or not. */
    int decideLine(Conn c, byte[] a, int from, int to) {
      int i = from;
      while (i < to) {
        if (a[i] != DATA_PREFIX[c.prefix]) {
          c.lineKind = FRAMING;
          return i;
        }
        i++;
        if (++c.prefix == DATA_PREFIX.length) {
          c.lineKind = MESSAGE;
          return i;
        }
      }
      return i;
    }

    /**
     * Part of a message's bytes: the first message's records are counted when asked to; a
     * probe's later messages are read for their {@code "t"}; other messages are only counted.
     */
    void message(Conn c, byte[] a, int from, int to) {
      if (c.lines == 0) {
        if (countRecords) {
          countRecords(c, a, from, to);
        }
      } else if (c.probe) {
        readT(c, a, from, to);
      }
    }

    /** A message ended: the first one marks the subscriber in place, the others are counted. */
    void endOfMessage(Conn c, long now) {
      if (c.lines == 0) {
        c.lines = 1;
        c.match = 0;
        c.firstLineAt = now;
        lastFirstLineAt = Math.max(lastFirstLineAt, now);
        firstLines++;
        inFlight--;
        return;
      }
      if (c.probe && (c.tPhase == 2 || c.tPhase == 3)) {
        latency.recordValue(Math.min(Math.max(0, (now - c.t) / 1000), latency.getHighestTrackableValue()));
      }
      c.tPhase = 0;
      c.match = 0;
      c.t = 0;
      c.lines++;
      lines++;
      lastLineAt = now;
    }

    void countRecords(Conn c, byte[] a, int from, int to) {
      int m = c.match;
      long records = c.records;
      for (int i = from; i < to; i++) {
        byte b = a[i];
        if (b == PAD_FIELD[m]) {
          if (++m == PAD_FIELD.length) {
            records++;
            m = 0;
          }
        } else {
          m = b == PAD_FIELD[0] ? 1 : 0;
        }
      }
      c.match = m;
      c.records = records;
    }

    /** Finds {@code "t":} and reads the number after it, across reads. */
    void readT(Conn c, byte[] a, int from, int to) {
      for (int i = from; i < to; i++) {
        byte b = a[i];
        switch (c.tPhase) {
          case 0 -> {
            if (b == T_FIELD[c.match]) {
              if (++c.match == T_FIELD.length) {
                c.tPhase = 1;
                c.match = 0;
              }
            } else {
              c.match = b == T_FIELD[0] ? 1 : 0;
            }
          }
          case 1 -> {
            if (b >= '0' && b <= '9') {
              c.t = b - '0';
              c.tPhase = 2;
            } else if (b != ' ') {
              c.tPhase = 0;
            }
          }
          case 2 -> {
            if (b >= '0' && b <= '9') {
              c.t = c.t * 10 + (b - '0');
            } else {
              c.tPhase = 3;
            }
          }
          default -> {
            return; // this message's t is read
          }
        }
      }
    }
  }

  /** A new line (or a new connection's first) in the message layer. */
  private void newLine(Conn c) {
    c.lineKind = wire.framing == Wire.Framing.EVENTS ? UNDECIDED : MESSAGE;
    c.prefix = 0;
  }

  private static int parseStatus(String head) {
    int space = head.indexOf(' ');
    if (space < 0 || head.length() < space + 4) {
      return -1;
    }
    try {
      return Integer.parseInt(head.substring(space + 1, space + 4));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
