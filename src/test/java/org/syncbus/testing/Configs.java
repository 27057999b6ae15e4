package org.syncbus.testing;

import io.vertx.core.json.JsonObject;

/** Node configurations for tests: loopback, port 0, known secrets. Callers adjust the copy they get. */
public final class Configs {
  public static final String PUBLISH_SECRET = "test-publish-secret";
  public static final String SUBSCRIBE_SECRET = "test-subscribe-secret";
  public static final String DEFAULT = "default";

  private Configs() {}

  /** A node serving {@code queues}, listening on 127.0.0.1 on a port the system picks. */
  public static JsonObject node(JsonObject queues) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", TestNode.HOST).put("port", 0))
        .put("queues", queues);
  }

  /** A node with one keyed queue, {@code default}, keyed by {@code id}. */
  public static JsonObject defaultNode() {
    return node(new JsonObject().put(DEFAULT, keyed("id")));
  }

  /** A keyed queue with the test secrets and no initial backlog. */
  public static JsonObject keyed(String pk) {
    return new JsonObject()
        .put("pk", pk)
        .put("type", "keyed")
        .put("secrets", new JsonObject().put("publish", PUBLISH_SECRET).put("subscribe", SUBSCRIBE_SECRET));
  }

  /** A keyed queue whose initial backlog comes from {@code backlog}, retried quickly. */
  public static JsonObject keyed(String pk, JsonObject backlog) {
    return keyed(pk).put("backlog", backlog.copy().put("retryInitialMillis", 20).put("retryMaxMillis", 100));
  }
}
