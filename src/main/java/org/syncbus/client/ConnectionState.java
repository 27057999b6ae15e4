package org.syncbus.client;

/** Where a subscription's connection stands. */
public enum ConnectionState {
  /** Opening the first stream. */
  CONNECTING,
  /** A stream is open and the state is current. */
  CONNECTED,
  /** The stream was lost; waiting to open a new one. The state is the last one known. */
  RECONNECTING,
  /** Ended by {@link Subscription#close()} or by a refusal. */
  CLOSED
}
