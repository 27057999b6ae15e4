package org.syncbus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.syncbus.bench.BenchOptions.Fanout;

/**
 * The publish path: a few subscribers and one publishing connection at a high rate (10 × 1,500
 * batches/s by default, {@code --publish}), so that what the server spends per batch (reading
 * the request, checking its token, parsing and applying the batch, answering) outweighs what it
 * spends per delivered line. The measurement is a {@link FanoutScenario}'s; the figure judged is
 * the server's CPU per published batch, over the same window, with completeness and latency
 * beside it. Each server is published to as it takes batches: syncbus's signed {@code /update}
 * (a token per batch), the floor's {@code /update}, Nchan's publisher location.
 *
 * <p>It runs once per server, on its own stream: the publish path does not depend on how the
 * subscribers are reached. Each server first takes the same load for {@code --publish-warmup-seconds}
 * (not reported): the bench's warm-up fan-out publishes a few hundred batches, too few for the
 * JIT to have compiled a server's publish path, which would otherwise be measured while it
 * compiles (syncbus: 450-600 µs per batch in the first 5 s, ~100 µs once compiled).
 */
final class PublishScenario extends FanoutScenario {
  private static final List<Row> ROWS = rows("publishRate", "batches", "cpuUsPerBatch", "serverCpuPct", "complete",
      "missing", "p50Ms", "p99Ms", "maxMs", "publishRttP50Ms", "publishRttP99Ms", "publishLagMaxMs", "clientCpuPct");

  PublishScenario(BenchOptions options, Fanout load) {
    super("publish_" + load.spec(), "publish path: " + load.subscribers() + " subscribers, "
        + Fanout.number(load.rate()) + " batches/s from one publisher x " + Fanout.number(load.seconds()) + " s",
        options, load);
  }

  @Override
  Fanout warmUp() {
    return options.publishWarmupSeconds <= 0 ? null
        : new Fanout(load.subscribers(), load.rate(), options.publishWarmupSeconds);
  }

  @Override
  boolean appliesTo(Target target) {
    return target.ownStream;
  }

  @Override
  List<Row> rows() {
    return ROWS;
  }

  /** Nothing lost, and CPU per published batch at most 1.2 times the floor's (when the floor ran). */
  @Override
  List<Goal> goals(String column, Map<String, Object> syncbus, Map<String, Object> nchan, Map<String, Object> floor) {
    String name = column + ", " + load.subscribers() + " x " + Fanout.number(load.rate()) + "/s";
    List<Goal> goals = new ArrayList<>();
    goals.add(new Goal("publish path, nothing lost (" + name + ")", isTrue(syncbus.get("complete")),
        "missing " + syncbus.get("missing") + ", publish errors " + syncbus.get("publishErrors")));
    if (floor != null) {
      goals.add(atMost("CPU per published batch <= 1.2x the floor's (" + name + ")", "cpuUsPerBatch", "us", 1.2,
          syncbus, Target.FLOOR, floor));
    }
    return goals;
  }
}
