package org.syncbus;

/**
 * Every event-bus address of syncbus, defined once (README, "Event bus").
 *
 * <p>Public, per queue {@code Q}: {@code syncbus.Q.apply} (request a batch be applied; reaches the
 * owner), {@code syncbus.Q.snapshot} (request the backlog), {@code syncbus.Q.updates} (every
 * applied batch is published there). Queue names hold no dots, so an address names its queue
 * unambiguously.
 *
 * <p>Internal, not part of the contract: {@code syncbus.Q.stream} carries applied batches from the
 * owner to the edges' mirrors with a no-copy codec, {@code syncbus.Q.sync} hands a mirror the
 * owner's backlog in encoded form, and {@code syncbus.Q.handover} announces a released queue.
 */
public final class Addresses {
  public static final String PREFIX = "syncbus.";

  private Addresses() {}

  public static String apply(String queue) {
    return PREFIX + queue + ".apply";
  }

  public static String snapshot(String queue) {
    return PREFIX + queue + ".snapshot";
  }

  public static String updates(String queue) {
    return PREFIX + queue + ".updates";
  }

  public static String stream(String queue) {
    return PREFIX + queue + ".stream";
  }

  public static String sync(String queue) {
    return PREFIX + queue + ".sync";
  }

  /** Internal, clustered: an owner that gave its queue up says so, and the other nodes take it over. */
  public static String handover(String queue) {
    return PREFIX + queue + ".handover";
  }
}
