package org.syncbus.contract;

import java.util.regex.Pattern;

/**
 * Every public event-bus address of syncbus, defined once (README, "Event bus").
 *
 * <p>Per queue {@code Q}: {@code syncbus.Q.apply} (request a batch be applied; reaches the owner),
 * {@code syncbus.Q.snapshot} (request the backlog), {@code syncbus.Q.updates} (every applied batch
 * is published there). Queue names hold no dots, so an address names its queue unambiguously.
 * The internal addresses (the owner's stream to the edges, hand-overs between owners) are not part
 * of this contract and live with the code that uses them.
 */
public final class Addresses {
  public static final String PREFIX = "syncbus.";
  /** What a queue may be called: it is part of addresses and paths. */
  public static final String QUEUE_NAME = "[A-Za-z0-9_-]{1,64}";
  /**
   * The message header of a batch's idempotency key on {@code syncbus.Q.apply} (and on the
   * bridges' frames): a batch sent again under the same key is answered, not applied again.
   */
  public static final String IDEMPOTENCY_KEY = "idempotency-key";
  /** A public address: group 1 the queue, group 2 its kind ({@code apply}, {@code snapshot}, {@code updates}). */
  public static final Pattern PUBLIC = Pattern.compile(
      Pattern.quote(PREFIX) + "(" + QUEUE_NAME + ")\\.(apply|snapshot|updates)");

  /**
   * The TCP bridge's own address: a {@code send} there with a JWT in its headers authenticates the
   * connection until the token's {@code exp} (README, "Bridges and JWT").
   */
  public static final String AUTH = PREFIX + "auth";

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
}
