package org.syncbus.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a configuration file, JSON or YAML by its extension ({@code .yaml}, {@code .yml}), without
 * blocking the event loop. Errors name the file and the line, never the text around it: the file
 * holds secrets, and parsers like to quote what they failed on.
 */
public final class ConfigFile {
  /** Read when a node starts without {@code -conf}. */
  public static final String DEFAULT_PATH = "conf/syncbus.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ConfigFile() {}

  /** Reads, parses and validates {@code path}. */
  public static Future<SyncbusConfig> load(Vertx vertx, String path, Map<String, String> env) {
    return vertx.fileSystem().readFile(path)
        .recover(e -> Future.failedFuture(new ConfigException(path + ": cannot read (" + reason(e) + ")")))
        .map(content -> SyncbusConfig.parse(parse(path, content), env));
  }

  /**
   * Reads, parses and validates {@code path}, blocking: for the launcher, which needs the
   * cluster's settings before there is a Vert.x to read with.
   */
  public static SyncbusConfig read(String path, Map<String, String> env) {
    return SyncbusConfig.parse(readJson(path), env);
  }

  /** Reads and parses {@code path}, blocking; errors name the file. Not validated: see {@link SyncbusConfig#parse}. */
  public static JsonObject readJson(String path) {
    byte[] content;
    try {
      content = Files.readAllBytes(Path.of(path));
    } catch (IOException | InvalidPathException e) {
      throw new ConfigException(path + ": cannot read (" + reason(e) + ")");
    }
    return parse(path, Buffer.buffer(content));
  }

  /** The JSON object held by the file's content. */
  public static JsonObject parse(String path, Buffer content) {
    String text = content.toString(StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new ConfigException(path + ": empty");
    }
    return isYaml(path) ? parseYaml(path, text) : parseJson(path, text);
  }

  private static boolean isYaml(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml");
  }

  @SuppressWarnings("unchecked")
  private static JsonObject parseJson(String path, String text) {
    try {
      Object value = JSON.readValue(text, Object.class);
      if (!(value instanceof Map)) {
        throw new ConfigException(path + ": expected a JSON object at the top level");
      }
      return new JsonObject((Map<String, Object>) value);
    } catch (JsonProcessingException e) {
      throw new ConfigException(path + ": not valid JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject parseYaml(String path, String text) {
    try {
      Object value = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      if (!(value instanceof Map)) {
        throw new ConfigException(path + ": expected a YAML mapping at the top level");
      }
      return new JsonObject((Map<String, Object>) value);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new ConfigException(path + ": not valid YAML" + where);
    } catch (YAMLException e) {
      throw new ConfigException(path + ": not valid YAML");
    }
  }

  private static String reason(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoSuchFileException) {
        return "no such file";
      }
      if (cause instanceof java.nio.file.AccessDeniedException) {
        return "permission denied";
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
