package org.syncbus.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The console's page, its script and its style, read from the jar ({@code console/} on the
 * classpath) once, the first time one is asked for, off the event loop, and kept in memory (a few
 * tens of KB). Only these files are served, whatever the path asked: nothing of the working
 * directory or the rest of the classpath, and no directory listing. Thread-safe.
 */
final class ConsoleFiles {
  /** The page, served at {@code /console/}. */
  static final String INDEX = "index.html";
  private static final String ROOT = "console/";
  private static final Map<String, String> TYPES = Map.of(
      INDEX, "text/html; charset=utf-8",
      "console.js", "text/javascript; charset=utf-8",
      "console.css", "text/css; charset=utf-8");

  /** A file as served: its content type and bytes. */
  record File(String contentType, Buffer content) {}

  private Future<Map<String, File>> loaded;

  /** The files by name, read at the first call. */
  synchronized Future<Map<String, File>> load(Vertx vertx) {
    if (loaded == null) {
      loaded = vertx.executeBlocking(ConsoleFiles::read, false);
    }
    return loaded;
  }

  private static Map<String, File> read() {
    Map<String, File> files = new HashMap<>();
    TYPES.forEach((name, type) -> files.put(name, new File(type, Buffer.buffer(bytes(ROOT + name)))));
    return Map.copyOf(files);
  }

  private static byte[] bytes(String resource) {
    try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath (the jar is incomplete)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource + " from the classpath", e);
    }
  }
}
