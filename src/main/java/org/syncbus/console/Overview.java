package org.syncbus.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.syncbus.config.ReloadHistory;
import org.syncbus.config.SyncbusConfig;
import org.syncbus.http.EdgeView;
import org.syncbus.http.QueueView;
import org.syncbus.metrics.QueueMeters;
import org.syncbus.metrics.RecentRefusals;

/**
 * The console's overview of the node and its cluster (README, "Console", {@code GET
 * /console/api/overview}, and every second on {@code /console/api/events}): the node, the cluster's
 * members and which queues each owns, every queue's state, subscribers, per-second history and
 * cuts, and the last refusals and reloads.
 *
 * <p><b>The cluster's totals</b> are the sum over the members that answered within
 * {@value #ASK_MILLIS} ms ({@link ConsoleVerticle}); a member that did not is listed with
 * {@code "answered": false} and counted nowhere, so a slow member delays an overview by at most that
 * and never fails it. On a node on its own nobody is asked.
 */
final class Overview {
  static final long ASK_MILLIS = 1_000;

  private final Vertx vertx;
  private final Console console;

  Overview(Vertx vertx, Console console) {
    this.vertx = vertx;
    this.console = console;
  }

  /** The overview as {@code edge}'s mirrors see the queues now; never fails. */
  Future<JsonObject> build(EdgeView edge) {
    JsonObject self = console.counts();
    Set<String> members = new LinkedHashSet<>();
    members.add(console.nodeId());
    members.addAll(console.cluster().members());
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String member : members) {
      answers.add(member.equals(console.nodeId()) ? Future.succeededFuture(self) : ask(member));
    }
    List<QueueView> queues = edge.queues();
    return Future.all(answers).map(all -> {
      List<JsonObject> answered = answers.stream().map(Future::result).filter(Objects::nonNull).toList();
      return new JsonObject()
          .put("time", console.clock().millis())
          .put("node", node(members.size()))
          .put("members", members(List.copyOf(members), answers, queues))
          .put("queues", new JsonArray(queues.stream().map(queue -> queue(queue, self, answered)).toList()))
          .put("refusals", refusals())
          .put("reloads", reloads());
    });
  }

  /** {@code member}'s counts, or null when it did not answer in time. */
  private Future<JsonObject> ask(String member) {
    return vertx.eventBus()
        .<JsonObject>request(ConsoleVerticle.address(member), null, new DeliveryOptions().setSendTimeout(ASK_MILLIS))
        .map(Message::body)
        .otherwise((JsonObject) null);
  }

  private JsonObject node(int members) {
    SyncbusConfig.Cluster cluster = console.running().get().cluster();
    boolean clustered = console.cluster().clustered();
    return new JsonObject()
        .put("id", console.nodeId())
        .put("clustered", clustered)
        .put("quorum", console.cluster().quorum())
        .put("members", members)
        .put("expectedMembers", clustered ? cluster.members() : 1)
        .put("majority", clustered ? cluster.majority() : 1);
  }

  private JsonArray members(List<String> members, List<Future<JsonObject>> answers, List<QueueView> queues) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < members.size(); i++) {
      String member = members.get(i);
      JsonObject answer = answers.get(i).result();
      list.add(new JsonObject()
          .put("id", member)
          .put("self", member.equals(console.nodeId()))
          .put("answered", answer != null)
          .put("owns", new JsonArray(queues.stream().filter(queue -> member.equals(queue.owner()))
              .map(queue -> queue.config().name()).toList()))
          .put("subscribers", answer == null ? null : NodeCounts.all(answer)));
    }
    return list;
  }

  private JsonObject queue(QueueView queue, JsonObject self, List<JsonObject> answered) {
    SyncbusConfig.Queue config = queue.config();
    String name = config.name();
    QueueMeters meters = console.metrics().queue(name);
    QueueRates.History history = console.rates().history(name);
    return new JsonObject()
        .put("name", name)
        .put("pk", config.pk())
        .put("type", config.type().name().toLowerCase(Locale.ROOT))
        .put("ready", queue.ready())
        .put("epoch", queue.epoch())
        .put("seq", queue.seq())
        .put("owner", queue.owner())
        .put("ownerPresent", queue.ownerPresent())
        .put("records", queue.size().records())
        .put("bytes", queue.size().bytes())
        .put("limits", new JsonObject().put("records", config.limits().records()).put("bytes", config.limits().bytes()))
        .put("retained", new JsonObject().put("batches", queue.retainedBatches()).put("bytes", queue.retainedBytes()))
        .put("subscribers", new JsonObject()
            .put("node", NodeCounts.kinds(self, name))
            .put("total", NodeCounts.sum(answered, name)))
        .put("slowSubscribersCut", meters.slowSubscribersCut())
        .put("perSecond", new JsonObject()
            .put("batches", new JsonArray(Arrays.stream(history.batches()).boxed().toList()))
            .put("lines", new JsonArray(Arrays.stream(history.lines()).boxed().toList())));
  }

  private JsonArray refusals() {
    JsonArray list = new JsonArray();
    for (RecentRefusals.Entry refusal : console.metrics().recentRefusals().entries()) {
      list.add(new JsonObject().put("time", refusal.time().toEpochMilli()).put("status", refusal.status())
          .put("cause", refusal.cause()).put("client", refusal.client()));
    }
    return list;
  }

  private JsonArray reloads() {
    JsonArray list = new JsonArray();
    for (ReloadHistory.Entry reload : console.reloads().entries()) {
      list.add(new JsonObject().put("time", reload.time().toEpochMilli())
          .put("changed", new JsonArray(reload.changed())).put("added", new JsonArray(reload.added()))
          .put("removed", new JsonArray(reload.removed())).put("ignored", new JsonArray(reload.ignored()))
          .put("error", reload.error()));
    }
    return list;
  }
}
