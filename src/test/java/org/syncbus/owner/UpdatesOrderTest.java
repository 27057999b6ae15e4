package org.syncbus.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncbus.contract.Addresses;
import org.syncbus.testing.Configs;
import org.syncbus.testing.IntegrationTest;

/**
 * The public {@code syncbus.Q.updates} address carries batches in seq order, however fast they
 * come. Regression: they were published from completion callbacks of ordered worker tasks, and a
 * task that finished before its callback was registered published ahead of earlier ones.
 */
class UpdatesOrderTest extends IntegrationTest {
  private static final int BATCHES = 500;

  @Test
  void updatesArePublishedInSeqOrderUnderConcurrentApplies() {
    start(Configs.defaultNode());
    List<Long> seen = new ArrayList<>();
    Promise<Void> all = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.updates(Configs.DEFAULT), message -> {
      seen.add(message.body().getLong("seq"));
      if (seen.size() == BATCHES) {
        all.tryComplete();
      }
    });
    await(consumer.completion());
    List<Future<?>> applied = new ArrayList<>();
    for (int i = 0; i < BATCHES; i++) {
      applied.add(vertx.eventBus().request(Addresses.apply(Configs.DEFAULT),
          new JsonArray().add(new JsonObject().put("type", "update").put("data", new JsonObject().put("id", i)))));
    }
    await(Future.all(applied));
    await(all.future());
    List<Long> expected = new ArrayList<>();
    for (long seq = 1; seq <= BATCHES; seq++) {
      expected.add(seq);
    }
    assertEquals(expected, seen);
    await(consumer.unregister());
  }

  /**
   * Small batches are published from the event loop, large ones from a worker: mixed, they still
   * go out in seq order, whole.
   */
  @Test
  void smallAndLargeBatchesMixedArePublishedInSeqOrder() {
    start(Configs.defaultNode());
    int batches = 60;
    List<Long> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    Promise<Void> all = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.updates(Configs.DEFAULT), message -> {
      seen.add(message.body().getLong("seq"));
      sizes.add(message.body().getJsonArray("batch").size());
      if (seen.size() == batches) {
        all.tryComplete();
      }
    });
    await(consumer.completion());
    List<Future<?>> applied = new ArrayList<>();
    List<Integer> sent = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      int records = i % 3 == 0 ? 400 : 1; // 400 records: some 20 KB, past what is decoded on the event loop
      JsonArray batch = new JsonArray();
      for (int r = 0; r < records; r++) {
        batch.add(new JsonObject().put("type", "update").put("data", new JsonObject().put("id", i * 1000 + r).put("pad", "x".repeat(20))));
      }
      sent.add(records);
      applied.add(vertx.eventBus().request(Addresses.apply(Configs.DEFAULT), batch));
    }
    await(Future.all(applied));
    await(all.future());
    List<Long> expected = new ArrayList<>();
    for (long seq = 1; seq <= batches; seq++) {
      expected.add(seq);
    }
    assertEquals(expected, seen);
    assertEquals(sent, sizes, "every batch whole, in the order sent");
    await(consumer.unregister());
  }
}
