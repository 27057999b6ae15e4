package org.syncbus;

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

  private Protocol() {}
}
