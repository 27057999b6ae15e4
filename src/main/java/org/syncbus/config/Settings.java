package org.syncbus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, path-aware reading of one JSON object of the configuration. Every read names the
 * setting's path in its error; {@link #rejectUnknown()} refuses keys nobody read, so a misspelt
 * setting is an error instead of a silently ignored default. String values of the form
 * {@code ${NAME}} are taken from the environment ({@code ${NAME:-fallback}} when it may be unset).
 */
final class Settings {
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final JsonObject json;
  private final String path;
  private final Map<String, String> env;
  private final Set<String> read = new HashSet<>();

  Settings(JsonObject json, String path, Map<String, String> env) {
    this.json = json;
    this.path = path;
    this.env = env;
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return json.getValue(key) != null;
  }

  Settings child(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return new Settings(new JsonObject(), path(key), env);
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigException(path(key) + ": expected an object");
    }
    return new Settings(object, path(key), env);
  }

  Set<String> keys() {
    return json.fieldNames();
  }

  String string(String key, String defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw new ConfigException(path(key) + ": expected a string");
    }
    return resolve(key, text);
  }

  String requiredString(String key) {
    String value = string(key, null);
    if (value == null) {
      throw new ConfigException(path(key) + ": missing");
    }
    if (value.isEmpty()) {
      throw new ConfigException(path(key) + ": must not be empty");
    }
    return value;
  }

  long longValue(String key, long defaultValue, long min, long max) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new ConfigException(path(key) + ": expected a whole number");
    }
    long result = number.longValue();
    if (result < min || result > max) {
      throw new ConfigException(path(key) + ": must be between " + min + " and " + max + ", got " + result);
    }
    return result;
  }

  boolean bool(String key, boolean defaultValue) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw new ConfigException(path(key) + ": expected true or false");
    }
    return flag;
  }

  JsonArray array(String key) {
    read.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(path(key) + ": expected an array");
    }
    return array;
  }

  /** The objects of the array {@code key}, each as settings named {@code key[i]}. */
  java.util.List<Settings> objects(String key) {
    JsonArray array = array(key);
    java.util.List<Settings> objects = new java.util.ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject object)) {
        throw new ConfigException(path(key) + "[" + i + "]: expected an object");
      }
      objects.add(new Settings(object, path(key) + "[" + i + "]", env));
    }
    return objects;
  }

  /** The strings of the array {@code key}. */
  java.util.List<String> strings(String key) {
    JsonArray array = array(key);
    java.util.List<String> strings = new java.util.ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String text)) {
        throw new ConfigException(path(key) + "[" + i + "]: expected a string");
      }
      strings.add(text);
    }
    return strings;
  }

  void rejectUnknown() {
    for (String key : json.fieldNames()) {
      if (!read.contains(key)) {
        throw new ConfigException(path(key) + ": unknown setting");
      }
    }
  }

  private String resolve(String key, String text) {
    Matcher reference = ENV_REFERENCE.matcher(text);
    if (!reference.matches()) {
      return text;
    }
    String value = env.get(reference.group(1));
    if (value == null) {
      value = reference.group(2);
    }
    if (value == null) {
      throw new ConfigException(path(key) + ": environment variable " + reference.group(1) + " is not defined");
    }
    return value;
  }
}
