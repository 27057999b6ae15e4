package org.syncbus.bench;

import java.io.IOException;

/**
 * One column of the report: a {@link Server} and the {@link Wire} its subscribers speak
 * ({@code syncbus}, {@code syncbus-sse} and {@code syncbus-bridge} are one syncbus process
 * reached by {@code /poll}, {@code /events} and the TCP bridge). Scenarios load the server
 * through {@link #server} and connect subscribers through {@link #subscribers}, so that every
 * kind of subscriber is counted and probed alike.
 */
final class Target {
  /** The columns' names, which the report's ratios and the benchmark's targets refer to. */
  static final String FLOOR = "floor";
  static final String NCHAN = "nchan";
  static final String SYNCBUS = "syncbus";

  /** The report's and the JSON's name for it. */
  final String name;
  final Server server;
  final Wire wire;
  /**
   * Whether this is the server's own stream ({@code /poll}, Nchan's raw stream), on which the
   * scenarios that do not depend on the kind of subscriber (publish path, backlogs) run once.
   */
  final boolean ownStream;

  Target(String name, Server server, Wire wire, boolean ownStream) {
    this.name = name;
    this.server = server;
    this.wire = wire;
    this.ownStream = ownStream;
  }

  /** For the log: name, subscriber kind, address, PID. */
  String describe() {
    return name + " (" + wire.kind + " on " + wire.address.getPort() + ") " + server.describe();
  }

  /** Whether this is one of syncbus's columns, whose figures the benchmark's targets judge. */
  boolean isSyncbus() {
    return server.software == Server.Software.SYNCBUS;
  }

  /** A new population of subscribers (not yet opened); the caller closes it. */
  Subscribers subscribers(int threads, boolean countRecords) throws IOException {
    return new Subscribers(wire, threads, countRecords);
  }
}
