package org.syncbus.console;

import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.metrics.QueueMeters;

/**
 * What one node tells the console of its subscribers: per queue, by kind ({@code poll},
 * {@code events}, {@code bridge}). Each node answers with its own on the event bus
 * ({@link ConsoleVerticle}); the node serving the page adds them up for the cluster's totals.
 * Shape: {@code {"node": ID, "queues": {"Q": {"poll": n, "events": n, "bridge": n}}}}.
 */
final class NodeCounts {
  static final String NODE = "node";
  static final String QUEUES = "queues";

  private NodeCounts() {}

  /** This node's counts for {@code queues}. */
  static JsonObject of(String node, NodeMetrics metrics, Collection<String> queues) {
    JsonObject counts = new JsonObject();
    for (String queue : queues) {
      JsonObject kinds = new JsonObject();
      for (QueueMeters.Kind kind : QueueMeters.Kind.values()) {
        kinds.put(name(kind), metrics.queue(queue).subscribers(kind).get());
      }
      counts.put(queue, kinds);
    }
    return new JsonObject().put(NODE, node).put(QUEUES, counts);
  }

  /** The counts of {@code queue} by kind, summed over {@code nodes}' answers (a node that does not serve it counts 0). */
  static JsonObject sum(List<JsonObject> nodes, String queue) {
    JsonObject total = new JsonObject();
    for (QueueMeters.Kind kind : QueueMeters.Kind.values()) {
      total.put(name(kind), nodes.stream().mapToInt(node -> kinds(node, queue).getInteger(name(kind), 0)).sum());
    }
    return total;
  }

  /** The counts of {@code queue} in one node's answer; empty when it does not serve it. */
  static JsonObject kinds(JsonObject node, String queue) {
    JsonObject queues = Objects.requireNonNullElseGet(node.getJsonObject(QUEUES), JsonObject::new);
    return Objects.requireNonNullElseGet(queues.getJsonObject(queue), JsonObject::new);
  }

  /** Every subscriber of one node's answer, whatever its queue and kind. */
  static int all(JsonObject node) {
    JsonObject queues = Objects.requireNonNullElseGet(node.getJsonObject(QUEUES), JsonObject::new);
    return queues.fieldNames().stream().mapToInt(queue -> kinds(node, queue).stream()
        .mapToInt(entry -> ((Number) entry.getValue()).intValue()).sum()).sum();
  }

  private static String name(QueueMeters.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
