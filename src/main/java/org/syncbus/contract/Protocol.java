package org.syncbus.contract;

/** Field and parameter names of the wire protocol and the event-bus bodies, defined once. */
public final class Protocol {
  /** HTTP parameters (PROTOCOL.md). */
  public static final String DATA = "data";

  public static final String HMAC = "hmac";

  /** What a poll token signs: the original signs "no message". */
  public static final String POLL_MESSAGE = "None";

  /** Event-bus bodies (DESIGN.md, "Event-bus contract"). */
  public static final String EPOCH = "epoch";

  public static final String SEQ = "seq";

  public static final String SNAPSHOT = "snapshot";

  public static final String BATCH = "batch";

  /** Sequenced streams (format=seq, SSE): a refused resume, an accepted one. */
  public static final String RESET = "reset";

  public static final String RESUMED = "resumed";

  /** Query parameters of streams: the framing, and where to resume from ({@code E:S}). */
  public static final String FORMAT = "format";

  public static final String SINCE = "since";

  /** The query parameter that carries a JWT where headers cannot (a browser's {@code EventSource}). */
  public static final String ACCESS_TOKEN = "access_token";

  /** The HTTP header of a batch's idempotency key on {@code /update} (README, "Exactly once"). */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /**
   * The response header that says a batch was a retry answered from its idempotency key, not
   * applied again ({@code true}).
   */
  public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

  /** In an apply's reply: the batch was a retry, answered with its original epoch and seq. */
  public static final String DUPLICATE = "duplicate";

  /** The SSE header a browser sends when it reconnects, naming the last id it received. */
  public static final String LAST_EVENT_ID = "Last-Event-ID";

  /** The fields of {@code GET /queues/Q/info} (README, "HTTP endpoints"), with {@link #EPOCH} and {@link #SEQ}. */
  public static final String INFO_QUEUE = "queue";

  public static final String INFO_PK = "pk";

  public static final String INFO_RECORDS = "records";

  public static final String INFO_SUBSCRIBERS = "subscribers";

  public static final String INFO_NODE = "node";

  public static final String INFO_OWNER = "owner";

  /** The fields of {@code GET /health} (README, "HTTP endpoints"): {@code UP} or {@code DOWN}. */
  public static final String HEALTH_STATUS = "status";

  /** In a cluster only: whether this node's side holds a majority of {@code cluster.members}. */
  public static final String HEALTH_QUORUM = "quorum";

  /** Each queue by name, {@code {"ready": true|false}}. */
  public static final String HEALTH_QUEUES = "queues";

  public static final String HEALTH_READY = "ready";

  private Protocol() {}
}
