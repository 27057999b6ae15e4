package org.syncbus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, path-aware reading of one JSON object of the configuration. Every read names the
 * setting's path in its error; {@link #rejectUnknown()} refuses keys nobody read, so a misspelt
 * setting is an error instead of a silently ignored default. String values of the form
 * {@code ${NAME}} are taken from the environment ({@code ${NAME:-fallback}} when it may be unset).
 *
 * <p><b>Misspellings.</b> An unknown key close to a known one ({@link #nearest}) is reported with
 * a suggestion ({@code queues.q.ttlSecond: unknown setting (did you mean ttlSeconds?)}). A
 * misspelt <em>required</em> key would otherwise be reported as the required one missing, which
 * sends the reader looking for a key that is not there: so a required key that is missing while
 * an unread key close to it is present names that key as unknown instead ({@link #missing}).
 */
final class Settings {
  private static final int MAX_EDITS = 2;
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

  /** Whether {@code key} has a value; a key asked about is a known setting of this object. */
  boolean has(String key) {
    read.add(key);
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
      throw missing(key, "");
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
        throw unknown(key, nearest(key, read));
      }
    }
  }

  /**
   * The refusal of a required {@code key} that has no value ({@code why}, when not empty, says
   * what requires it): or, when an unread key close to it is present, of that key as unknown.
   */
  ConfigException missing(String key, String why) {
    for (String present : json.fieldNames()) {
      if (!read.contains(present) && key.equals(nearest(present, Set.of(key)))) {
        return unknown(present, key);
      }
    }
    return new ConfigException(path(key) + ": missing" + (why.isEmpty() ? "" : " (" + why + ")"));
  }

  private ConfigException unknown(String key, String suggestion) {
    return new ConfigException(path(key) + ": unknown setting"
        + (suggestion == null ? "" : " (did you mean " + suggestion + "?)"));
  }

  /**
   * The key of {@code known} closest to {@code key} when it is close enough to be a misspelling of
   * it: at most two edits apart (ignoring case), and fewer than half the known key's length, so
   * that short keys ({@code pk}) are not suggested for unrelated ones ({@code id}). Null when none is.
   */
  private static String nearest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (!candidate.equals(key) && distance <= MAX_EDITS && distance * 2 < candidate.length()
          && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * Edits from {@code a} to {@code b}: insertions, deletions, substitutions, and transpositions of
   * two neighbours ({@code prot} for {@code port}), the commonest typing slip (optimal string
   * alignment distance).
   */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
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
