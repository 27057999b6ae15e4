package org.syncbus.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings in which two configurations differ, named by their paths in the file
 * ({@code queues.default.limits.records}): what a reload logs it changed. Names only, never values,
 * so a rotated secret is logged as {@code queues.default.secrets.publish} and nothing more.
 *
 * <p><b>How it walks.</b> Component by component through the two configurations' records: a record
 * is a section of the file whose components are its settings, named as their keys; a map is the
 * {@code queues} section, by queue name; anything else (a number, a string, an enum, a duration, a
 * list such as {@code auth.jwt.keys}, or a section present on one side only such as {@code http.tls})
 * is one setting, compared whole. A component named otherwise than its key, or whose key sits in
 * another section ({@code timeTokens} under {@code auth}), is mapped by {@link #PATHS}; a new setting
 * named as its key needs nothing here. {@code ConfigDiffTest} checks every path against a file
 * that sets every key.
 *
 * <p>Queues present on one side only are not settings that changed: {@link ReloadPolicy} names them
 * as added or removed.
 */
final class ConfigDiff {
  /** The paths of the components not named as their key, by record and component name. */
  private static final Map<String, String> PATHS = Map.of(
      "SyncbusConfig.timeTokens", "auth.timeTokens",
      "SyncbusConfig.jwt", "auth.jwt",
      "SyncbusConfig.secretOverlapSeconds", "auth.secretOverlapSeconds",
      "Http.allowedOrigins", "cors.allowedOrigins",
      "Queue.ttl", "ttlSeconds",
      "Backlog.retryInitial", "retryInitialMillis",
      "Backlog.retryMax", "retryMaxMillis",
      "Backlog.timeout", "timeoutSeconds");

  private ConfigDiff() {}

  /** The paths of the settings that differ between {@code before} and {@code after}, in the file's order. */
  static List<String> changed(SyncbusConfig before, SyncbusConfig after) {
    List<String> changed = new ArrayList<>();
    walk("", before, after, changed);
    return changed;
  }

  private static void walk(String path, Object before, Object after, List<String> changed) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before instanceof Record && after != null && before.getClass() == after.getClass()) {
      for (RecordComponent component : before.getClass().getRecordComponents()) {
        walk(child(path, key(component)), read(component, before), read(component, after), changed);
      }
    } else if (before instanceof Map<?, ?> beforeMap && after instanceof Map<?, ?> afterMap) {
      beforeMap.forEach((key, value) -> {
        if (afterMap.containsKey(key)) {
          walk(child(path, key.toString()), value, afterMap.get(key), changed);
        }
      });
    } else {
      changed.add(path);
    }
  }

  private static String key(RecordComponent component) {
    String name = component.getDeclaringRecord().getSimpleName() + "." + component.getName();
    return PATHS.getOrDefault(name, component.getName());
  }

  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static Object read(RecordComponent component, Object record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component + " of the configuration", e);
    }
  }
}
