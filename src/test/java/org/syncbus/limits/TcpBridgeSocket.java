package org.syncbus.limits;

import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.syncbus.testing.Await;
import org.syncbus.testing.TestNode;

/**
 * One client of the TCP event-bus bridge over a plain blocking socket, written from the wire format
 * alone (a 4-byte big-endian length, then UTF-8 JSON), from a loopback source address the test
 * chooses, optionally with a small receive buffer set before connecting (a client that does not
 * read then fills the node's side at once).
 *
 * <p>It reads only when asked: frame by frame on the test thread ({@link #readUntil}), or on a
 * reader thread of its own from {@link #reading} on, which hands every frame to a handler and
 * completes {@link #closed()} when the node closes the connection. Writes run on a writer thread
 * of their own and are waited for, bounded by {@link Await#TIMEOUT}: a node that stops reading
 * fails the write instead of hanging the test.
 */
final class TcpBridgeSocket implements AutoCloseable {
  /** The smallest receive buffer worth asking for: Linux doubles it and keeps a floor of its own. */
  static final int SMALL_RECEIVE_BUFFER = 4096;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final long openedNanos = System.nanoTime();
  private final ExecutorService writer;
  private final CompletableFuture<Long> closed = new CompletableFuture<>();
  private Thread reader;

  private TcpBridgeSocket(Socket socket, String name) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.writer = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, name + "-writer");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Connects from {@code source} to the bridge on loopback {@code port}, bounded; with
   * {@code receiveBufferBytes} > 0, that receive buffer is set first (it fixes the window offered).
   */
  static TcpBridgeSocket connect(String source, int port, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    try {
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress(TestNode.HOST, port), CONNECT_TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      return new TcpBridgeSocket(socket, "bridge-client-" + source);
    } catch (IOException e) {
      socket.close();
      throw new IOException("connecting from " + source + " to the bridge on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** One frame of the bridge: the length of {@code json} in UTF-8, then those bytes. */
  static byte[] frame(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(Integer.BYTES + bytes.length).putInt(bytes.length).put(bytes).array();
  }

  static byte[] frame(JsonObject json) {
    return frame(json.encode());
  }

  /** Just the 4-byte length of a frame, as a client announcing {@code length} bytes sends first. */
  static byte[] header(int length) {
    return ByteBuffer.allocate(Integer.BYTES).putInt(length).array();
  }

  /** Writes {@code bytes} whole, bounded by {@link Await#TIMEOUT}; a write that cannot finish closes the socket. */
  void send(byte[] bytes) {
    CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new IllegalStateException("writing " + bytes.length + " bytes: " + e.getMessage(), e);
      }
    }, writer);
    try {
      written.get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      closeQuietly();
      throw new AssertionError("the node did not take " + bytes.length + " bytes within " + Await.TIMEOUT.toMillis()
          + " ms", e);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  void send(JsonObject frame) {
    send(frame(frame));
  }

  /**
   * Reads frames on the test thread until one is {@code wanted} and returns it; the others go to
   * {@code others}. Bounded: each read by {@link Await#TIMEOUT}, at most {@code maxFrames} frames.
   */
  JsonObject readUntil(Predicate<JsonObject> wanted, Consumer<JsonObject> others, int maxFrames) throws IOException {
    if (reader != null) {
      throw new IllegalStateException("the reader thread reads this socket");
    }
    socket.setSoTimeout((int) Await.TIMEOUT.toMillis());
    try {
      for (int i = 0; i < maxFrames; i++) {
        JsonObject frame = readFrame();
        if (wanted.test(frame)) {
          return frame;
        }
        others.accept(frame);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame within " + Await.TIMEOUT.toMillis() + " ms", e);
    } finally {
      socket.setSoTimeout(0);
    }
    throw new AssertionError("the frame wanted was not among the " + maxFrames + " first");
  }

  /** From now on a thread of its own reads every frame and hands it to {@code handler}, until the node closes. */
  TcpBridgeSocket reading(Consumer<JsonObject> handler) {
    reader = new Thread(() -> readAll(handler), "bridge-reader-" + socket.getLocalAddress().getHostAddress());
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** From now on every frame read is queued for {@link #next()}. */
  TcpBridgeSocket reading(BlockingQueue<JsonObject> queue) {
    return reading((Consumer<JsonObject>) queue::add);
  }

  /** A queue to read into, for {@link #reading(BlockingQueue)} and {@link #next(BlockingQueue)}. */
  static BlockingQueue<JsonObject> queue() {
    return new LinkedBlockingQueue<>();
  }

  /** The next frame of {@code queue}, within {@link Await#TIMEOUT}. */
  static JsonObject next(BlockingQueue<JsonObject> queue) throws InterruptedException {
    JsonObject frame = queue.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within " + Await.TIMEOUT.toMillis() + " ms");
    }
    return frame;
  }

  private void readAll(Consumer<JsonObject> handler) {
    try {
      while (true) {
        handler.accept(readFrame());
      }
    } catch (IOException | RuntimeException e) {
      // EOF, a reset, or this side closing: the connection is over either way.
      closed.complete(millisSinceOpened());
    }
  }

  private JsonObject readFrame() throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 64 * 1024 * 1024) {
      throw new IOException("a frame of " + length + " bytes from the node");
    }
    byte[] json = new byte[length];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }

  /** When the node closed the connection (milliseconds after it was opened), seen by the reader thread. */
  CompletableFuture<Long> closed() {
    return closed;
  }

  /** Whether the node closed the connection by {@code timeout} (the reader thread must be running). */
  boolean closedWithin(Duration timeout) throws InterruptedException, ExecutionException {
    try {
      closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  long millisSinceOpened() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos);
  }

  String source() {
    return socket.getLocalAddress().getHostAddress();
  }

  /** Closes the socket (which ends the reader and writer) and waits, bounded, for the reader. */
  @Override
  public void close() throws InterruptedException {
    closeQuietly();
    writer.shutdownNow();
    if (reader != null) {
      reader.join(Await.TIMEOUT.toMillis());
    }
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing can only fail as already closed: the descriptor is given back either way.
    }
  }
}
