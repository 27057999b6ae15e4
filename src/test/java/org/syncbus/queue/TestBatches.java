package org.syncbus.queue;

import java.util.List;

/** Batches written in tests: update and delete elements, and their parse with a given primary key. */
final class TestBatches {
  private TestBatches() {}

  static List<Update> parse(String text, String pk) {
    try {
      return Batches.parse(text, pk);
    } catch (InvalidBatchException e) {
      throw new AssertionError("test batch is invalid: " + e.getMessage(), e);
    }
  }

  static String upd(String record) {
    return "{\"type\":\"update\",\"data\":" + record + "}";
  }

  static String del(String record) {
    return "{\"type\":\"delete\",\"data\":" + record + "}";
  }
}
