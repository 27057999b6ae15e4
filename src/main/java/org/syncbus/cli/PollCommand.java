package org.syncbus.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.cli.annotations.Description;
import io.vertx.core.cli.annotations.Name;
import io.vertx.core.cli.annotations.Option;
import io.vertx.core.cli.annotations.Summary;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.syncbus.client.BlockingSyncClient;
import org.syncbus.client.ConnectionState;
import org.syncbus.client.Subscription;
import org.syncbus.queue.Change;
import org.syncbus.queue.Json;
import org.syncbus.queue.Key;

/**
 * {@code syncbus poll --url BASE_URL [--queue Q] --secret S [--watch f1,f2]}: prints one NDJSON
 * line per change, {@code {"key":…,"change":"created|updated|deleted","record":…}} (for a
 * deletion, the last known record), until interrupted. It reconnects when the stream is lost once
 * it was connected; a server unreachable at the start exits 3, a refusal exits 1.
 */
@Name("poll")
@Summary("Follows a queue and prints one NDJSON line per changed record.")
@Description("Each line is {\"key\":KEY,\"change\":\"created|updated|deleted\",\"record\":RECORD}; for a deletion "
    + "the record is the last one known. With --watch, a replaced record counts as updated only if a watched "
    + "field changed. Runs until interrupted. Exit status: 1 refused by the server, 2 bad usage, "
    + "3 server unreachable or failing at the start.")
public final class PollCommand extends ClientCommand {
  private String watch;
  private String pk;

  @Option(longName = "watch", argName = "f1,f2")
  @Description("Comma-separated fields: report an update only when one of them changed.")
  public void setWatch(String watch) {
    this.watch = watch;
  }

  @Option(longName = "pk", argName = "FIELD")
  @Description("The queue's primary-key field (default: asked of the server).")
  public void setPk(String pk) {
    this.pk = pk;
  }

  @Override
  public void run() {
    var options = clientOptions("poll").setSubscribeSecret(secret()).setPk(pk);
    Set<String> fields = watch == null ? Set.of()
        : Arrays.stream(watch.split(",")).map(String::strip).filter(f -> !f.isEmpty()).collect(Collectors.toSet());
    PrintStream out = stdout();
    Map<Key, ObjectNode> known = new HashMap<>();
    CountDownLatch connected = new CountDownLatch(1);
    BlockingSyncClient client = new BlockingSyncClient(options);
    Subscription subscription = client.poll(fields, (state, changes) -> {
      changes.forEach((key, change) -> out.println(line(key, change,
          change == Change.DELETED ? known.get(key) : state.get(key))));
      out.flush();
      known.clear();
      known.putAll(state);
    });
    subscription.stateHandler(state -> {
      if (state == ConnectionState.CONNECTED) {
        connected.countDown();
      } else if (state == ConnectionState.RECONNECTING && connected.getCount() > 0) {
        exit(UNREACHABLE, "syncbus poll: cannot reach " + options.baseUrl() + " or it is failing");
      }
    });
    try {
      client.awaitDone(subscription);
      exit(OK, null);
    } catch (RuntimeException e) {
      exit(statusOf(e), oneLine("poll", e));
    }
  }

  private static String line(Key key, Change change, ObjectNode record) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.set("key", key.toJson());
    line.put("change", change.wireName());
    line.set("record", record);
    return Json.encode(line);
  }
}
